"""Delivery's share of a person's data: the mail sent to the address, the suppression list, the sink's copies."""
from __future__ import annotations

from sqlalchemy import select

from ..addresses import lookup_form
from ..domain import send_kind_label
from ..extensions import db
from ..personal_data import Person, timestamp
from .models import OutboxMessage, Send, Suppression
from .services import forget_address, messages_for

#: Why an address is on the suppression list (`Suppression.reason`), in the words of an export.
SUPPRESSION_REASONS = {
    "hard_bounce": "E-post till adressen gick inte fram",
    "soft_bounces": "E-post till adressen gick inte fram flera gånger",
    "complaint": "Ett brev markerades som skräppost",
    "unsubscribed": "Alla utskick avslutades",
    "staff": "Spärrad av personalen",
}


def export(person: Person) -> list[dict]:
    """Return every message queued or sent to the person's address, newest first."""
    return [{
        "ämne": message.subject,
        "slag": send_kind_label(message.kind),
        "status": message.status.label,
        "köad": timestamp(message.created_at),
        "skickad": timestamp(message.sent_at),
        "fel": message.last_error,
    } for message in messages_for(person.email)]


def erase(person: Person) -> int:
    """Remove the address from the outbox, the suppression list and the local mail sink.

    The sends that went to the person keep their shared content for the others and for the statistics; what
    of it names the person (an order receipt carries the invoice reference they typed) gets their pseudonym.
    """
    _redact_sends_to(person)
    return forget_address(person.email)


def _redact_sends_to(person: Person) -> None:
    send_ids = select(OutboxMessage.send_id).where(OutboxMessage.email == lookup_form(person.email)).distinct()
    for send in db.session.scalars(select(Send).where(Send.id.in_(send_ids))):
        if person.mentions(send.subject):
            send.subject = person.redact(send.subject)
        if send.context and any(person.mentions(text) for text in _strings(send.context)):
            send.context = person.redact_data(send.context)
        for part in ("rendered_html", "rendered_text"):
            if person.mentions(getattr(send, part)):
                setattr(send, part, person.redact(getattr(send, part)))
    db.session.flush()


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def export_suppression(person: Person) -> list[dict]:
    """Return the person's entry on the suppression list, with the receiving server's words (a bounce)."""
    return [{
        "orsak": SUPPRESSION_REASONS.get(entry.reason, entry.reason),
        "svar från mottagaren": entry.detail,
        "sedan": timestamp(entry.created_at),
    } for entry in db.session.scalars(select(Suppression).where(Suppression.email == lookup_form(person.email)))]
