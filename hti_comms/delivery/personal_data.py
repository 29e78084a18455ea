"""Delivery's share of a person's data: the mail sent to the address, suppressions, the sink's copies."""
from __future__ import annotations

from ..domain import send_kind_label
from ..personal_data import Person, timestamp
from .services import forget_address, messages_for


def export(person: Person) -> list[dict]:
    """Return every message queued or sent to the person's address, newest first."""
    return [{
        "ämne": message.subject,
        "slag": send_kind_label(message.kind),
        "status": message.status.label,
        "köad": timestamp(message.created_at),
        "skickad": timestamp(message.sent_at),
    } for message in messages_for(person.email)]


def erase(person: Person) -> int:
    """Remove the address from the outbox, the suppression list and the local mail sink."""
    return forget_address(person.email)
