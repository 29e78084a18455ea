"""The events domain's share of a person's data: their registrations (export and erasure)."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..personal_data import Person, timestamp
from .models import Registration, RegistrationStatus
from .registration import lock_event, promote_waiting


def _registrations(person: Person) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.email == person.email)
                                   .order_by(Registration.created_at)))


def export(person: Person) -> list[dict]:
    return [{
        "evenemang": r.event.title,
        "start": timestamp(r.event.starts_at),
        "status": r.status.label,
        "namn": r.name,
        "e-post": r.email,
        "uppdrag": r.role,
        "kommun eller förening": r.organisation,
        "behov": r.needs,
        "fråga": r.question,
        "anmäld": timestamp(r.created_at),
        "avbokad": timestamp(r.cancelled_at),
    } for r in _registrations(person)]


def erase(person: Person) -> int:
    """Delete the person's registrations in the caller's transaction; a freed place goes to the next in line."""
    removed = 0
    for registration in _registrations(person):
        event = registration.event
        lock_event(event)
        had_place = registration.status is RegistrationStatus.REGISTERED
        db.session.delete(registration)
        db.session.flush()
        removed += 1
        if had_place:
            promote_waiting(event)
    return removed
