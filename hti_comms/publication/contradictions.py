"""What contradicts a year's publication moment: events, sends and reminders that say or do another time.

The moment has one home (`moments.publication_moment`); everything derived from it follows by itself. What can
still disagree is what was typed elsewhere: a publication event in the calendar that is not linked, a course or
webinar on publication day ("no webinar that day"), a reminder due at an old time, a send of the year's results
scheduled before the moment (the delivery worker holds it, but someone meant another time). Each is one Swedish
sentence for the timeline and the year plan.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..delivery import api as delivery
from ..release import carried_results
from ..extensions import db
from ..formatting import format_date, format_datetime
from .moments import moments
from .timeline import EVENT_WINDOW_AFTER, EVENT_WINDOW_BEFORE


def contradictions(year: int) -> list[str]:
    """Return a sentence for every event, send or reminder that contradicts the year's publication moment."""
    steps = moments(year)
    if steps.published_at is None:
        return []
    return _events(year, steps.published_at) + _reminders(year, steps.published_at) + _sends(year, steps)


def _events(year: int, moment) -> list[str]:
    from ..events.models import Event, EventKind, EventStatus

    found = []
    events = db.session.scalars(select(Event).where(
        Event.status == EventStatus.SCHEDULED,
        ((Event.starts_at >= moment - EVENT_WINDOW_BEFORE) & (Event.starts_at <= moment + EVENT_WINDOW_AFTER))
        | (Event.publication_year == year)).order_by(Event.starts_at))
    day = clock.to_stockholm(moment).date()
    for event in events:
        starts_at = clock.as_utc(event.starts_at)
        if event.kind is EventKind.PUBLICERING and starts_at != moment:
            found.append(f"Evenemanget ”{event.title}” i kalendern står på {format_datetime(starts_at)}, men "
                         f"publiceringen är {format_datetime(moment)}."
                         + ("" if event.publication_year == year else " Låt det följa publiceringstiden."))
        elif event.kind.allows_registration and clock.to_stockholm(starts_at).date() == day:
            found.append(f"”{event.title}” ({event.kind.label.lower()}) ligger samma dag som publiceringen, "
                         f"{format_date(moment)}. Publiceringsdagen har inget webbinarium.")
    return found


def _reminders(year: int, moment) -> list[str]:
    from ..events.models import Event, EventReminder, EventStatus, ReminderStatus

    found = []
    rows = db.session.execute(select(EventReminder, Event).join(Event).where(
        Event.publication_year == year, Event.status == EventStatus.SCHEDULED,
        EventReminder.status == ReminderStatus.PENDING))
    for reminder, event in rows:
        due = moment - timedelta(minutes=reminder.minutes_before)
        if clock.as_utc(reminder.due_at) != due:
            found.append(f"Påminnelsen om ”{event.title}” går {format_datetime(reminder.due_at)}, men den ska gå "
                         f"{format_datetime(due)} med publiceringen {format_datetime(moment)}.")
    return found


def _sends(year: int, steps) -> list[str]:
    found = []
    for send in delivery.running_sends():
        carried = carried_results(send.owner)
        if carried is None or carried.year != year:
            continue
        scheduled_at = clock.as_utc(send.scheduled_at)
        if carried.embargoed:
            early = steps.embargo_release_at
            if scheduled_at < early:
                found.append(f"Utskicket ”{send.subject}” är schemalagt {format_datetime(scheduled_at)}, före "
                             f"embargot släpps {format_datetime(early)}; det väntar till dess.")
        elif scheduled_at < steps.published_at and clock.now() < steps.published_at:
            found.append(f"Utskicket ”{send.subject}” med resultat för {year} är schemalagt "
                         f"{format_datetime(scheduled_at)}, före publiceringen {format_datetime(steps.published_at)}; "
                         "det väntar till publiceringen.")
    return found
