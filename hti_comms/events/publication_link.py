"""The publication event of a year: its time is that year's publication moment, with one home.

An event of kind "publicering" linked to a year (`Event.publication_year`) takes its time from the year's
publication moment: staff never type it (the form shows it, greyed, with a link to the publication page), and it
changes only when the moment is set or moved, in the same transaction (`follow_publication`, called by
`publication.moments.set_publication`). Nothing copies it afterwards; the timeline warns should any event still
disagree with the moment (an unlinked one, say).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from . import emails
from .models import Event, EventKind, EventStatus, RegistrationMode
from .registration import registered
from .reminders import schedule_reminders
from .wording import when_text


class LinkError(ValueError):
    """A Swedish message about an event that cannot be linked to the publication."""


def linked_events(year: int) -> list[Event]:
    """Return the events of `year`'s publication (not cancelled), soonest first."""
    return list(db.session.scalars(select(Event).where(
        Event.publication_year == year, Event.status == EventStatus.SCHEDULED).order_by(Event.starts_at, Event.id)))


def link(event: Event, year: int, moment: datetime | None) -> Event:
    """Link a publication event to `year` and give it the moment's time; the caller commits."""
    if event.kind is not EventKind.PUBLICERING:
        raise LinkError(f"”{event.title}” är en {event.kind.label.lower()}. Bara en publicering kan följa "
                        "publiceringstiden.")
    if event.is_cancelled:
        raise LinkError(f"”{event.title}” är inställt.")
    if moment is None:
        raise LinkError(f"Publiceringen {year} har ingen tid ännu. Sätt tiden först.")
    event.publication_year = year
    _move(event, moment, notify=False)
    return event


def create_linked(year: int, moment: datetime | None) -> Event:
    """Create the calendar event of `year`'s publication at its moment, linked to it; the caller commits."""
    if moment is None:
        raise LinkError(f"Publiceringen {year} har ingen tid ännu. Sätt tiden först.")
    now = clock.now()
    event = Event(kind=EventKind.PUBLICERING, title=f"Hemtjänstindex {year} publiceras",
                  description="Resultaten publiceras på webbplatsen klockan 07.00. Inget webbinarium den dagen.",
                  starts_at=moment, ends_at=moment, registration_mode=RegistrationMode.NONE, registration_url="",
                  join_url="", stream_url="", organiser_name="", organiser_email="", status=EventStatus.SCHEDULED,
                  sequence=0, is_demo=False, publication_year=year, created_at=now, updated_at=now)
    db.session.add(event)
    db.session.flush()
    return event


def unlink(event: Event) -> None:
    """Give the event a time of its own again (it keeps the time it has); the caller commits."""
    event.publication_year = None
    event.updated_at = clock.now()


def follow_publication(year: int, moment: datetime, *, notify: bool) -> int:
    """Move every event linked to `year` to the new moment (the caller's transaction); return how many people
    were sent the change. `notify`: staff chose to tell those registered (asked when the moment moves)."""
    told = 0
    for event in linked_events(year):
        told += _move(event, moment, notify=notify)
    return told


def _move(event: Event, moment: datetime, *, notify: bool) -> int:
    """Give the event the moment's start, keeping its length; a new calendar version and reminders that follow."""
    starts_at = clock.as_utc(event.starts_at)
    if starts_at == moment:
        return 0
    previous_when = when_text(event)
    length = clock.as_utc(event.ends_at) - starts_at
    event.starts_at, event.ends_at = moment, moment + max(length, timedelta(0))
    event.sequence += 1
    event.updated_at = clock.now()
    schedule_reminders(event, event.reminder_offsets)
    db.session.flush()
    people = registered(event) if notify else []
    if people:
        emails.send_update(event, people, time_changed=True, previous_when=previous_when)
    return len(people)


def registered_count(year: int) -> int:
    """Return how many people are registered for `year`'s publication events (asked before it moves)."""
    return sum(len(registered(event)) for event in linked_events(year))
