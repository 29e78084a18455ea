"""The alerts' share of a person's data: the address and the municipalities it follows (export and erasure)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..geo.models import Municipality
from ..personal_data import Person, timestamp
from .models import AlertSubscriber


def _subscriber(person: Person) -> AlertSubscriber | None:
    return db.session.scalar(select(AlertSubscriber).where(AlertSubscriber.email == person.email))


def export(person: Person) -> dict | None:
    subscriber = _subscriber(person)
    if subscriber is None:
        return None
    return {
        "e-post": subscriber.email,
        "status": subscriber.status.label,
        "bad om det": timestamp(subscriber.created_at),
        "bekräftade": timestamp(subscriber.confirmed_at),
        "kommuner": [{"kommun": db.session.get(Municipality, m.municipality_code).short_name,
                      "bekräftad": timestamp(m.confirmed_at)} for m in subscriber.municipalities],
    }


def erase(person: Person) -> int:
    """Delete the subscriber and their municipalities in the caller's transaction; return rows removed."""
    subscriber = _subscriber(person)
    if subscriber is None:
        return 0
    removed = 1 + len(subscriber.municipalities)
    db.session.delete(subscriber)
    db.session.flush()
    return removed
