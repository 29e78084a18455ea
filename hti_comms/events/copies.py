"""Copies of events: one button on an event's page, and next year's cycle (the year plan's "Nästa år").

A copy has everything of the original but its registrations, its publication link and its meeting links: a
course next year, or a second session, is another meeting, and last year's link must never reach anyone. What
is missing is said on the year plan and the event's page.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..extensions import db
from .models import Event, EventSpeaker, EventStatus
from .reminders import schedule_reminders


def copy_event(event: Event, *, title: str | None = None, starts_at: datetime | None = None) -> Event:
    """Return a new event like `event` (another title and start if given; the same length); caller commits."""
    now = clock.now()
    start = clock.as_utc(event.starts_at)
    new_start = starts_at or start
    copy = Event(
        kind=event.kind, title=title or event.title, description=event.description, starts_at=new_start,
        ends_at=new_start + (clock.as_utc(event.ends_at) - start), registration_mode=event.registration_mode,
        registration_url="", join_url="", stream_url="", capacity=event.capacity,
        registration_opens_at=_moved(event.registration_opens_at, start, new_start),
        registration_closes_at=_moved(event.registration_closes_at, start, new_start),
        organiser_name=event.organiser_name, organiser_email=event.organiser_email, status=EventStatus.SCHEDULED,
        sequence=0, is_demo=False, publication_year=None, created_at=now, updated_at=now)
    for speaker in event.speakers:
        copy.speakers.append(EventSpeaker(position=speaker.position, name=speaker.name, title=speaker.title))
    db.session.add(copy)
    db.session.flush()
    schedule_reminders(copy, event.reminder_offsets)
    return copy


def _moved(moment: datetime | None, start: datetime, new_start: datetime) -> datetime | None:
    """Keep a registration time as far from the start as it was."""
    return None if moment is None else new_start - (start - clock.as_utc(moment))


def events_between(start: datetime, end: datetime) -> list[Event]:
    """Return the events (not cancelled) that start in [start, end), soonest first."""
    return list(db.session.scalars(select(Event).where(
        Event.status == EventStatus.SCHEDULED, Event.starts_at >= start, Event.starts_at < end)
        .order_by(Event.starts_at, Event.id)))


def missing_links(event: Event) -> list[str]:
    """Return what the event still lacks before it can be announced (Swedish sentences)."""
    from .models import EventKind, RegistrationMode

    found = []
    if event.registration_mode is RegistrationMode.HERE and not event.join_url:
        found.append(f"Möteslänk saknas till ”{event.title}”.")
    if event.registration_mode is RegistrationMode.EXTERNAL and not event.registration_url:
        found.append(f"Länk till anmälan saknas till ”{event.title}”.")
    if event.kind is EventKind.WEBBSANDNING and not event.stream_url:
        found.append(f"Länk till sändningen saknas till ”{event.title}”.")
    return found
