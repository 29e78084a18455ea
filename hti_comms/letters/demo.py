"""Demo letters for `make run`: members who chose letters by post, and a print batch of their letters.

The members are added as staff add them (consent given on a paper form): pensioners' council members in
Upplands Väsby with invented names marked "(demo)", invented addresses and no email address. The batch is made
the way the letters domain makes every batch: the latest demo year's result brief is sent to the council as
staff send it, and each member who chose letters gets one in the send's print batch. The scheduler makes the
batch's PDF within a minute of `make run` starting.
"""
from __future__ import annotations

from sqlalchemy import select

from ..briefs.demo_council import demo_member, send_brief_to_demo_council
from ..extensions import db
from ..subscribers.models import Channel
from ..subscribers.postal import checked_postal
from .models import PrintBatch

MUNICIPALITY = "0114"  # Upplands Väsby: every demo year has it
#: (name, street, postcode, town): invented people at invented addresses.
MEMBERS = (
    ("Astrid Exempel (demo)", "Påhittade vägen 1", "194 30", "Upplands Väsby"),
    ("Bengt Demosson (demo)", "Låtsasgatan 12 B", "194 31", "Upplands Väsby"),
    ("Gunnel Provsson (demo)", "Gamla byvägen 3", "194 32", "Upplands Väsby"),
)


def load() -> str | None:
    """Add the demo members who get letters and send them the latest demo year's brief; return a line, or None."""
    if db.session.scalar(select(PrintBatch.id).limit(1)) is not None:
        return None
    members = [demo_member(name, postal=checked_postal(Channel.LETTER, "", street, postcode, town, has_email=False))
               for name, street, postcode, town in MEMBERS]
    sent = send_brief_to_demo_council(MUNICIPALITY, members)
    if sent is None:
        return None
    return (f"DEMODATA: {len(MEMBERS)} medlemmar i pensionärsrådet i {sent.municipality.short_name} som får brev med "
            f"posten, och resultatbrevet för {sent.year} till dem i en utskriftsomgång (PDF:en görs av schemaläggaren).")
