"""The events domain's share of a person's data: their registrations (export and erasure)."""
from __future__ import annotations

from sqlalchemy import delete, select, update

from ..extensions import db
from ..personal_data import Person, timestamp
from .attendance_models import Attendee, Feedback
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
        "deltog": {True: "ja", False: "nej", None: ""}[r.attended],
        "minuter": r.attended_minutes,
    } for r in _registrations(person)] + [{
        "evenemang": a.event.title,
        "i närvarorapporten": a.name,
        "e-post": a.email,
        "minuter": a.minutes,
    } for a in db.session.scalars(select(Attendee).where(Attendee.email == person.email))] + [{
        "evenemang": f.registration.event.title,
        "svar på frågorna om kursen": f.grades,
        "kommentar": f.comment,
        "anonymt": "ja" if f.anonymous else "nej",
        "svarade": timestamp(f.created_at),
    } for f in db.session.scalars(select(Feedback).join(Registration, Registration.id == Feedback.registration_id)
                                  .where(Registration.email == person.email))]


def erase(person: Person) -> int:
    """Delete the person's registrations (their feedback with them) and their lines in attendance reports, in the
    caller's transaction; a freed place goes to the next in line."""
    removed = db.session.execute(delete(Attendee).where(Attendee.email == person.email)).rowcount or 0
    ids = [r.id for r in _registrations(person)]
    if ids:
        # (Foreign keys are not enforced on SQLite: the references go explicitly.)
        db.session.execute(delete(Feedback).where(Feedback.registration_id.in_(ids)))
        db.session.execute(update(Attendee).where(Attendee.registration_id.in_(ids)).values(registration_id=None))
        db.session.execute(update(Attendee).where(Attendee.suggested_registration_id.in_(ids))
                           .values(suggested_registration_id=None))
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
