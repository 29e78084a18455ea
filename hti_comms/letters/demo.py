"""Demo letters for `make run`: members who chose letters by post, and a print batch of their letters.

The members are added as staff add them (consent given on a paper form): pensioners' council members in
Upplands Väsby with invented names marked "(demo)", invented addresses and no email address. The batch is made
the way the letters domain makes every batch: the latest demo year's result brief is sent to the council as
staff send it, and each member who chose letters gets one in the send's print batch. The scheduler makes the
batch's PDF within a minute of `make run` starting.
"""
from __future__ import annotations

from sqlalchemy import select

from ..briefs.audiences import BRIEF_LIST_KEY, council_audience
from ..briefs.emails import send_local_brief
from ..extensions import db
from ..geo.models import Municipality
from ..results.services import latest_demo_year
from ..subscribers.audiences import recipients
from ..subscribers.directory import ContactDetails, add_contact
from ..subscribers.models import Channel, CouncilName, LegalBasis, Role
from ..subscribers.places import Place
from ..subscribers.postal import checked_postal
from .models import PrintBatch

ACTOR = "Demodata"
MUNICIPALITY = "0114"  # Upplands Väsby: every demo year has it
#: (name, street, postcode, town): invented people at invented addresses.
MEMBERS = (
    ("Astrid Exempel (demo)", "Påhittade vägen 1", "194 30", "Upplands Väsby"),
    ("Bengt Demosson (demo)", "Låtsasgatan 12 B", "194 31", "Upplands Väsby"),
    ("Gunnel Provsson (demo)", "Gamla byvägen 3", "194 32", "Upplands Väsby"),
)


def load() -> str | None:
    """Add the demo members who get letters and send them the latest demo year's brief; return a line, or None."""
    year = latest_demo_year()
    municipality = db.session.get(Municipality, MUNICIPALITY)
    if year is None or municipality is None or db.session.scalar(select(PrintBatch.id).limit(1)) is not None:
        return None
    council = Place(Role.COUNCIL_MEMBER, council_name=CouncilName.PENSIONARSRAD, municipality=MUNICIPALITY)
    for name, street, postcode, town in MEMBERS:
        postal = checked_postal(Channel.LETTER, "", street, postcode, town, has_email=False)
        add_contact(ContactDetails(email="", name=name, phone="", list_keys=[BRIEF_LIST_KEY], postal=postal),
                    LegalBasis.CONSENT_GIVEN, council, actor=ACTOR)
    audience = council_audience(municipality)
    send_local_brief(municipality, year, recipients(audience), letters_to=audience)
    return (f"DEMODATA: {len(MEMBERS)} medlemmar i pensionärsrådet i {municipality.short_name} som får brev med "
            f"posten, och resultatbrevet för {year} till dem i en utskriftsomgång (PDF:en görs av schemaläggaren).")
