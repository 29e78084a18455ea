"""Reminders: rows per event and offset, due a fixed time before the start, found and sent by a sweep.

- Sent once: the sweep claims a reminder with a conditional UPDATE (pending → sent, and only while its due
  time is still the one it read) in the same transaction that enqueues it, so a second sweep running at the
  same moment finds nothing to claim; the outbox reference (event, offset, due time) keeps rows unique too.
- To registered people only, as they are when the reminder goes (not cancelled, not on the waiting list).
- They follow the event: a new start moves every due time, and a reminder already sent for the old time is
  due again if its new time is still ahead.
- Hopelessly late ones are skipped: a reminder whose moment passed while the scheduler was down by more than
  its offset (the event has started) is not sent, and of several overdue reminders of one event only the
  latest goes, so nobody gets "in a day" and "in an hour" at once.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from .. import clock
from ..extensions import db
from ..formatting import format_integer
from .models import Event, EventReminder, EventStatus, ReminderStatus


def schedule_reminders(event: Event, offsets: tuple[int, ...] | list[int]) -> None:
    """Make the event's reminders match `offsets` (minutes before the start) and its start; caller's transaction."""
    wanted = set(offsets)
    now = clock.now()
    for reminder in list(event.reminders):
        if reminder.minutes_before not in wanted:
            event.reminders.remove(reminder)
    have = {reminder.minutes_before for reminder in event.reminders}
    for minutes in sorted(wanted - have, reverse=True):
        due_at = event.starts_at - timedelta(minutes=minutes)
        reminder = EventReminder(minutes_before=minutes, status=ReminderStatus.PENDING, due_at=due_at, note="")
        event.reminders.append(reminder)
        if due_at <= now:
            _passed(reminder, now, "Tiden hade redan passerat när påminnelsen lades till.")
    for reminder in event.reminders:
        due_at = event.starts_at - timedelta(minutes=reminder.minutes_before)
        if reminder.due_at == due_at:
            continue
        reminder.due_at = due_at
        if due_at > now:
            # Moved: due again at its new moment, whatever happened at the old one.
            reminder.status = ReminderStatus.PENDING
            reminder.handled_at = None
            reminder.note = ""
        elif reminder.status is ReminderStatus.PENDING:
            # Moved to a moment already past: everyone just got the update with the new time.
            _passed(reminder, now, "Evenemanget flyttades så att tiden redan hade passerat.")


def _passed(reminder: EventReminder, now, note: str) -> None:
    reminder.status = ReminderStatus.SKIPPED
    reminder.handled_at = now
    reminder.note = note


def skip_pending_reminders(event: Event, note: str) -> None:
    """Skip every reminder of the event still waiting (the event was cancelled); caller's transaction."""
    db.session.execute(update(EventReminder).where(EventReminder.event_id == event.id,
                                                   EventReminder.status == ReminderStatus.PENDING)
                       .values(status=ReminderStatus.SKIPPED, handled_at=clock.now(), note=note)
                       .execution_options(synchronize_session=False))


def _claim(reminder_id: int, due_at, status: ReminderStatus, note: str) -> bool:
    """Move a reminder from pending to `status` if nobody else did first; return whether this call did."""
    return db.session.execute(
        update(EventReminder)
        .where(EventReminder.id == reminder_id, EventReminder.status == ReminderStatus.PENDING,
               EventReminder.due_at == due_at)
        .values(status=status, handled_at=clock.now(), note=note)
        .execution_options(synchronize_session=False)).rowcount == 1


def send_due_reminders() -> int:
    """Send every reminder that is due, skip the hopelessly late ones; commit each; return reminders sent."""
    from . import emails
    from .registration import registered

    now = clock.now()
    due = db.session.execute(
        select(EventReminder.id, EventReminder.event_id, EventReminder.minutes_before, EventReminder.due_at)
        .join(Event, Event.id == EventReminder.event_id)
        .where(EventReminder.status == ReminderStatus.PENDING, EventReminder.due_at <= now,
               Event.status == EventStatus.SCHEDULED)
        .order_by(EventReminder.event_id, EventReminder.due_at)).all()
    latest = {}
    for row in due:
        latest[row.event_id] = row  # ordered by due time: the last one per event is the latest
    sent = 0
    for row in due:
        event = db.session.get(Event, row.event_id)
        if row is not latest[row.event_id]:
            _claim(row.id, row.due_at, ReminderStatus.SKIPPED, "Ersattes av en senare påminnelse.")
        elif now >= event.starts_at:
            _claim(row.id, row.due_at, ReminderStatus.SKIPPED,
                   "För sent: evenemanget hade redan börjat när påminnelsen skulle gå.")
        else:
            people = registered(event)
            note = f"Skickad till {format_integer(len(people))} anmälda."
            if _claim(row.id, row.due_at, ReminderStatus.SENT, note) and people:
                reference = f"event:{event.id}:reminder:{row.minutes_before}:{row.due_at:%Y%m%dT%H%M}"
                emails.send_reminder(event, people, reference=reference)
                sent += 1
        db.session.commit()
    return sent
