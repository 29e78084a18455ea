"""Business operations on events: create, change (updates to everyone registered), cancel, and look-ups.

Each public function owns its transaction (commits) unless it says it works in the caller's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..status import transition
from . import emails
from .inputs import EventData
from .models import (
    EVENT_TRANSITIONS, Event, EventKind, EventSpeaker, EventStatus, Registration, RegistrationStatus, can_cancel_event,
    can_edit,
)
from .registration import promote_waiting, registered, registered_count, waiting_list
from .reminders import schedule_reminders, skip_pending_reminders
from .wording import when_text


class EventError(ValueError):
    """Something staff asked for that is not possible; the message is Swedish."""


def _apply(event: Event, data: EventData) -> None:
    event.kind = data.kind
    event.title = data.title
    event.description = data.description
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.registration_mode = data.registration_mode
    event.registration_url = data.registration_url
    event.join_url = data.join_url
    event.stream_url = data.stream_url
    event.capacity = data.capacity
    event.registration_opens_at = data.opens_at
    event.registration_closes_at = data.closes_at
    event.organiser_name = data.organiser_name
    event.organiser_email = data.organiser_email
    current = [(s.name, s.title) for s in event.speakers]
    if current != data.speakers:
        event.speakers.clear()
        db.session.flush()
        for position, (name, title) in enumerate(data.speakers):
            event.speakers.append(EventSpeaker(position=position, name=name, title=title))


def create_event(data: EventData, *, is_demo: bool = False) -> Event:
    """Save a new event with its reminders and commit."""
    now = clock.now()
    event = Event(status=EventStatus.SCHEDULED, sequence=0, is_demo=is_demo, created_at=now, updated_at=now)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    schedule_reminders(event, data.reminders)
    db.session.commit()
    return event


#: What, when changed, people's calendars must follow (a new SEQUENCE).
CALENDAR_FIELDS = ("kind", "title", "description", "starts_at", "ends_at", "join_url", "stream_url",
                   "registration_mode", "registration_url", "organiser_name", "organiser_email")


@dataclass
class ChangeResult:
    """What a change did: whether the time or the link moved, and who was told (for the staff message)."""

    time_changed: bool = False
    link_changed: bool = False
    calendar_changed: bool = False
    updates_sent: int = 0
    promoted: int = 0
    over_capacity: int = 0
    notes: list[str] = field(default_factory=list)


def update_event(event: Event, data: EventData) -> ChangeResult:
    """Save changes; on a new time or join link every registered person gets an update; commit."""
    if not can_edit(event):
        raise EventError("Evenemanget är inställt och kan inte ändras.")
    _keep_publication_time(event, data)
    before = {name: getattr(event, name) for name in CALENDAR_FIELDS}
    before_speakers = [(s.name, s.title) for s in event.speakers]
    previous_when = when_text(event)
    _apply(event, data)
    result = ChangeResult(notes=list(data.notes))
    result.time_changed = (before["starts_at"], before["ends_at"]) != (event.starts_at, event.ends_at)
    result.link_changed = before["join_url"] != event.join_url
    result.calendar_changed = any(before[name] != getattr(event, name) for name in CALENDAR_FIELDS) \
        or before_speakers != data.speakers
    if result.calendar_changed:
        event.sequence += 1
        event.updated_at = clock.now()
    schedule_reminders(event, data.reminders)
    db.session.flush()
    if result.time_changed or result.link_changed:
        people = registered(event)
        if people:
            emails.send_update(event, people, time_changed=result.time_changed, previous_when=previous_when)
            result.updates_sent = len(people)
    result.promoted = len(promote_waiting(event))
    if event.capacity is not None:
        result.over_capacity = max(0, registered_count(event) - event.capacity)
    db.session.commit()
    return result


def _keep_publication_time(event: Event, data: EventData) -> None:
    """Refuse a new time or kind for a year's publication event: its time is the publication moment."""
    if not event.is_linked_to_publication:
        return
    if data.kind is not EventKind.PUBLICERING:
        raise EventError(f"”{event.title}” är publiceringen {event.publication_year} och kan inte bli en annan sorts "
                         "evenemang.")
    if (data.starts_at, data.ends_at) != (clock.as_utc(event.starts_at), clock.as_utc(event.ends_at)):
        raise EventError(f"Tiden för ”{event.title}” är publiceringstiden {event.publication_year}. Flytta "
                         "publiceringen under Publicering, så flyttas evenemanget med.")


def cancel_event(event: Event) -> int:
    """Cancel the event: METHOD:CANCEL to everyone registered, a notice to the waiting list; commit.

    Return how many people were told.
    """
    if not can_cancel_event(event):
        raise EventError("Evenemanget är redan inställt.")
    transition(event, EventStatus.CANCELLED, EVENT_TRANSITIONS)
    now = clock.now()
    event.cancelled_at = now
    event.updated_at = now
    event.sequence += 1
    skip_pending_reminders(event, "Evenemanget ställdes in.")
    people = registered(event)
    waiting = waiting_list(event)
    if now < event.ends_at:
        if people:
            emails.send_event_cancelled(event, people)
        if waiting:
            emails.send_event_cancelled(event, waiting, waiting_list=True)
    db.session.commit()
    return len(people) + len(waiting)


# --- look-ups -------------------------------------------------------------------------------------------

def get_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def upcoming_events(*, include_cancelled: bool = True) -> list[Event]:
    """Return events that have not ended, soonest first."""
    query = select(Event).where(Event.ends_at > clock.now()).order_by(Event.starts_at, Event.id)
    if not include_cancelled:
        query = query.where(Event.status == EventStatus.SCHEDULED)
    return list(db.session.scalars(query))


def past_events(limit: int = 50) -> list[Event]:
    """Return events that have ended, latest first."""
    query = select(Event).where(Event.ends_at <= clock.now()).order_by(Event.starts_at.desc(), Event.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def used_addresses() -> list[str]:
    """Return the links of every event that has taken place and was not cancelled (`Domain.link_history`).

    Those links have been used by people, so the lookalike check may compare new links with their hosts.
    """
    from ..markdown import render_markdown

    rows = db.session.execute(select(Event.registration_url, Event.join_url, Event.stream_url, Event.description)
                              .where(Event.starts_at <= clock.now(), Event.status != EventStatus.CANCELLED))
    addresses = []
    for registration_url, join_url, stream_url, description in rows:
        addresses += [url for url in (registration_url, join_url, stream_url) if url]
        addresses += [link.url for link in render_markdown(description or "").links]
    return addresses


def all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_at, Event.id)))


def counts_by_event() -> dict[int, dict[RegistrationStatus, int]]:
    """Return {event id: {status: count}} for every event with registrations (one query, for lists)."""
    rows = db.session.execute(select(Registration.event_id, Registration.status, func.count())
                              .group_by(Registration.event_id, Registration.status))
    counts: dict[int, dict[RegistrationStatus, int]] = {}
    for event_id, status, count in rows:
        counts.setdefault(event_id, {})[status] = count
    return counts


def registrations(event: Event) -> list[Registration]:
    """Return every registration of the event, registered first, then waiting, then cancelled."""
    order = {RegistrationStatus.REGISTERED: 0, RegistrationStatus.WAITING: 1, RegistrationStatus.CANCELLED: 2}
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                              .order_by(Registration.created_at, Registration.id))
    return sorted(rows, key=lambda r: (order[r.status], r.waiting_since or r.created_at))
