"""Registering for an event, cancelling a registration, the waiting list and its promotions.

One registration per address and event: registering again sends the confirmation again instead of making a
second one, at most once within `CONFIRMATION_RESEND_MINUTES` (a form posted 200 times sends one email). All changes to who holds a place take the event's lock first (`lock_event`), so two people can
never both take the last place, on SQLite or PostgreSQL.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, select, update

from .. import clock
from ..addresses import InvalidAddress, normalise_address
from ..delivery.api import sent_too_recently
from ..extensions import db
from ..inputs import BadInput, check_text
from ..status import transition
from . import emails
from .calendar import new_registration_uid
from .questions import check_answers, field_name, of_event
from .models import (
    REGISTRATION_TRANSITIONS, Event, Registration, RegistrationStatus, can_cancel_registration, new_key,
)

NAME_MAX, ROLE_MAX, ORGANISATION_MAX, TEXT_MAX = 200, 100, 200, 2000


class RegistrationError(ValueError):
    """The registration cannot be made; the message is Swedish. `field` names the form field, if one is wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RegistrationInput:
    name: str
    email: str
    role: str = ""
    organisation: str = ""
    needs: str = ""
    question: str = ""
    #: Answers to the event's extra questions (events.questions) in their order; None: not asked (a command).
    answers: tuple[str, ...] | None = None


class Outcome(enum.Enum):
    REGISTERED = "registered"
    WAITING = "waiting"
    #: The address was already registered (or waiting): the confirmation was sent again.
    ALREADY = "already"


@dataclass(frozen=True)
class RegistrationResult:
    registration: Registration
    outcome: Outcome
    #: Whether an email was queued now (not when the same address registered again within the resend window).
    emailed: bool = True


def lock_event(event: Event) -> None:
    """Take the event's row lock (PostgreSQL) or the database write lock (SQLite) until the commit."""
    db.session.execute(update(Event).where(Event.id == event.id).values(sequence=Event.sequence)
                       .execution_options(synchronize_session=False))


def registered(event: Event) -> list[Registration]:
    """Return the people holding a place, in the order they got it."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED)
        .order_by(Registration.registered_at, Registration.id)))


def registered_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED)) or 0


def waiting_list(event: Event) -> list[Registration]:
    """Return the waiting list in order (first in line first)."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITING)
        .order_by(Registration.waiting_since, Registration.id)))


def closed_reason(event: Event) -> str | None:
    """Return why nobody can register here now (Swedish), or None when registration is open."""
    now = clock.now()
    if not event.takes_registrations_here:
        return "Till det här evenemanget anmäler man sig inte här."
    if event.is_cancelled:
        return "Evenemanget är inställt."
    if now >= event.starts_at:
        return "Evenemanget har redan börjat, så anmälan är stängd."
    if event.registration_opens_at and now < event.registration_opens_at:
        from ..formatting import format_datetime

        return f"Anmälan öppnar {format_datetime(event.registration_opens_at)}."
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "Anmälan är stängd."
    return None


def _clean(raw: RegistrationInput) -> tuple[str, str, dict[str, str]]:
    for key, label in (("name", "Namnet"), ("role", "Uppdraget"), ("organisation", "Kommun eller förening"),
                       ("needs", "Behov"), ("question", "Frågan")):
        try:
            check_text(getattr(raw, key) or "", label)
        except BadInput as exc:
            raise RegistrationError(str(exc), key) from None
    name = " ".join((raw.name or "").split())
    if not name:
        raise RegistrationError("Skriv ditt namn.", "name")
    if len(name) > NAME_MAX:
        raise RegistrationError(f"Namnet får vara högst {NAME_MAX} tecken.", "name")
    try:
        email = normalise_address(raw.email)
    except InvalidAddress as exc:
        raise RegistrationError(str(exc), "email") from None
    extra = {"role": " ".join((raw.role or "").split())[:ROLE_MAX],
             "organisation": " ".join((raw.organisation or "").split())[:ORGANISATION_MAX],
             "needs": (raw.needs or "").strip(), "question": (raw.question or "").strip()}
    for key, label in (("needs", "Behov"), ("question", "Frågan")):
        if len(extra[key]) > TEXT_MAX:
            raise RegistrationError(f"{label} får vara högst {TEXT_MAX} tecken.", key)
    return name, email, extra


def register(event: Event, raw: RegistrationInput, *, is_demo: bool = False, notify: bool = True) -> RegistrationResult:
    """Register a person (or put them on the waiting list), enqueue their email and commit."""
    reason = closed_reason(event)
    if reason:
        raise RegistrationError(reason)
    name, email, extra = _clean(raw)
    if raw.answers is not None:
        answers, problems = check_answers(of_event(event), raw.answers)
        if problems:
            index, message = next(iter(problems.items()))
            raise RegistrationError(message, field_name(index))
        extra["answers"] = answers
    lock_event(event)
    now = clock.now()
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == event.id, Registration.email == email))
    if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
        # The same address again: one registration, the confirmation once more (to the address, not the form),
        # unless it went out a moment ago.
        emailed = notify and not sent_too_recently(registration.confirmation_sent_at)
        if emailed:
            emails.send_registration_email(event, registration, again=True)
            registration.confirmation_sent_at = now
        db.session.commit()
        return RegistrationResult(registration, Outcome.ALREADY, emailed=emailed)
    has_place = event.capacity is None or (registered_count(event) < event.capacity and not waiting_list(event))
    target = RegistrationStatus.REGISTERED if has_place else RegistrationStatus.WAITING
    if registration is None:
        registration = Registration(event_id=event.id, email=email, calendar_uid=new_registration_uid(),
                                    status=target, created_at=now, is_demo=is_demo)
        db.session.add(registration)
    else:
        # Taken up again after a cancellation: new key (old links stay dead) and a new calendar UID.
        transition(registration, target, REGISTRATION_TRANSITIONS)
        registration.key = new_key()
        registration.calendar_uid = new_registration_uid()
        registration.created_at = now
        registration.cancelled_at = None
    registration.name = name
    for key, value in extra.items():
        setattr(registration, key, value)
    registration.registered_at = now if target is RegistrationStatus.REGISTERED else None
    registration.waiting_since = now if target is RegistrationStatus.WAITING else None
    db.session.flush()
    if notify:
        emails.send_registration_email(event, registration)
        registration.confirmation_sent_at = now
    db.session.commit()
    return RegistrationResult(registration, Outcome.REGISTERED if has_place else Outcome.WAITING)



def find_by_key(key: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.key == key))


def cancel_registration(registration: Registration) -> list[Registration]:
    """Cancel a registration (by its holder or staff), confirm it by email, promote the next in line; commit.

    Return the people promoted from the waiting list.
    """
    event = registration.event
    lock_event(event)
    db.session.refresh(registration)
    if not can_cancel_registration(registration):
        db.session.commit()
        return []
    had_place = registration.status is RegistrationStatus.REGISTERED
    transition(registration, RegistrationStatus.CANCELLED, REGISTRATION_TRANSITIONS)
    registration.cancelled_at = clock.now()
    db.session.flush()
    if clock.now() < event.ends_at and not event.is_cancelled:
        emails.send_registration_cancelled(event, registration, had_place=had_place)
    promoted = promote_waiting(event) if had_place else []
    db.session.commit()
    return promoted


def promote_waiting(event: Event) -> list[Registration]:
    """Give free places to the first in line and email them; in the caller's transaction (which holds the lock)."""
    if event.is_cancelled or clock.now() >= event.starts_at:
        return []
    lock_event(event)
    free = None if event.capacity is None else event.capacity - registered_count(event)
    line = waiting_list(event)
    chosen = line if free is None else line[:max(0, free)]
    now = clock.now()
    for registration in chosen:
        transition(registration, RegistrationStatus.REGISTERED, REGISTRATION_TRANSITIONS)
        registration.registered_at = now
    if chosen:
        db.session.flush()
        emails.send_promotion(event, chosen)
    return chosen
