"""Reminders with a moved clock: sent once, only to registered people, moved with the event, skipped when late."""
from __future__ import annotations

import dataclasses

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.events.inputs import input_for, parse_event
from hti_comms.events.models import Event, EventReminder, ReminderStatus
from hti_comms.events.registration import cancel_registration
from hti_comms.events.reminders import send_due_reminders
from hti_comms.events.services import update_event
from hti_comms.scheduling.sweeps import run_all_once

from .helpers import JOIN_URL, at, deliver, make_event, sign_up


def _reminder_rows(db):
    rows = db.session.execute(select(Send.subject, OutboxMessage.email).join(OutboxMessage)
                              .where(Send.kind == "event_reminder").order_by(Send.id, OutboxMessage.email))
    return [tuple(row) for row in rows]


def _statuses(event) -> dict[int, str]:
    from hti_comms.extensions import db

    rows = db.session.scalars(select(EventReminder).where(EventReminder.event_id == event.id))
    return {r.minutes_before: r.status.value for r in rows}


def test_sent_once_to_registered_people_only(app, db, mail_sink):
    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event(capacity="2")  # Thursday 6 November 10.00
    sign_up(event, "Anna", "anna@example.se")
    bo = sign_up(event, "Bo", "bo@example.se")
    sign_up(event, "Cilla", "cilla@example.se")  # waiting list
    deliver(mail_sink, 3)
    assert _statuses(event) == {1440: "pending", 60: "pending"}

    clock.set_now(at("2025-11-05T09:59:00+01:00"))
    assert send_due_reminders() == 0
    cancel_registration(bo.registration)  # Cilla gets Bo's place
    messages = deliver(mail_sink, 5)

    clock.set_now(at("2025-11-05T10:00:30+01:00"))
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0  # a second sweep finds nothing
    event_id = event.id
    run_all_once(on_result=lambda line: None)  # nor does the scheduler's round
    event = db.session.get(Event, event_id)
    subject = "Påminnelse: Grundkurs om Hemtjänstindex i morgon kl. 10.00"
    assert _reminder_rows(db) == [(subject, "anna@example.se"), (subject, "cilla@example.se")]
    messages = deliver(mail_sink, 7)[5:]
    assert {m["To"].addresses[0].addr_spec for m in messages} == {"anna@example.se", "cilla@example.se"}
    text = messages[0].get_body(("plain",)).get_content()
    assert JOIN_URL in text and "i morgon, torsdag 6 november kl. 10.00–11.30" in text

    clock.set_now(at("2025-11-06T09:00:10+01:00"))
    assert send_due_reminders() == 1
    assert _reminder_rows(db)[-1][0] == "Påminnelse: Grundkurs om Hemtjänstindex i dag kl. 10.00"
    assert _statuses(event) == {1440: "sent", 60: "sent"}
    notes = db.session.scalars(select(EventReminder.note).where(EventReminder.event_id == event.id)).all()
    assert notes == ["Skickad till 2 anmälda."] * 2


def test_reminders_move_with_the_event(app, db):
    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    sign_up(event)
    clock.set_now(at("2025-11-05T10:01:00+01:00"))
    assert send_due_reminders() == 1  # the day-before reminder for 6 November

    data, _ = parse_event(dataclasses.replace(input_for(event), start="2025-11-13 10:00", end="2025-11-13 11:30"))
    update_event(event, data)
    db.session.expire_all()
    due = {r.minutes_before: (r.status.value, r.due_at) for r in event.reminders}
    assert due == {1440: ("pending", at("2025-11-12T10:00:00+01:00")), 60: ("pending", at("2025-11-13T09:00:00+01:00"))}
    clock.set_now(at("2025-11-06T09:30:00+01:00"))  # the old hour-before moment: nothing
    assert send_due_reminders() == 0
    clock.set_now(at("2025-11-12T10:00:05+01:00"))
    assert send_due_reminders() == 1
    assert [subject for subject, _ in _reminder_rows(db)] == \
        ["Påminnelse: Grundkurs om Hemtjänstindex i morgon kl. 10.00"] * 2
    assert db.session.scalar(select(Send.reference).where(Send.kind == "event_reminder").order_by(Send.id.desc())) \
        .endswith(":1440:20251112T0900")


def test_hopelessly_late_reminders_are_skipped(app, db):
    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    sign_up(event)
    # The scheduler was down from before the day-before moment until 09.30 on the day: only the hour-before
    # reminder goes; the day-before one is replaced, not sent late on top of it.
    clock.set_now(at("2025-11-06T09:30:00+01:00"))
    assert send_due_reminders() == 1
    db.session.expire_all()
    assert _statuses(event) == {1440: "skipped", 60: "sent"}
    assert event.reminders[0].note == "Ersattes av en senare påminnelse."

    other = make_event(title="Webbinarium", start="2025-11-07 10:00", end="2025-11-07 12:00")
    sign_up(other)
    clock.set_now(at("2025-11-07T10:20:00+01:00"))  # down until after the start: an hour-before helps nobody
    assert send_due_reminders() == 0
    db.session.expire_all()
    assert _statuses(other) == {1440: "skipped", 60: "skipped"}
    assert other.reminders[1].note.startswith("För sent")
    assert len(_reminder_rows(db)) == 1


def test_a_second_sweep_cannot_claim_a_reminder_already_claimed(app, db):
    """The claim is a conditional UPDATE: whoever comes second (a concurrent sweep) gets nothing."""
    from hti_comms.events.reminders import _claim

    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    reminder = db.session.scalar(select(EventReminder).where(EventReminder.minutes_before == 60))
    assert _claim(reminder.id, reminder.due_at, ReminderStatus.SENT, "första")
    assert not _claim(reminder.id, reminder.due_at, ReminderStatus.SENT, "andra")
    db.session.commit()
    db.session.expire_all()
    assert (reminder.status, reminder.note) == (ReminderStatus.SENT, "första")
    # Nor can a sweep that read the reminder before the event moved claim it at its old time.
    other = db.session.scalar(select(EventReminder).where(EventReminder.event_id == event.id,
                                                          EventReminder.minutes_before == 1440))
    old_due = other.due_at
    other.due_at = at("2025-11-05T11:00:00+01:00")
    db.session.commit()
    assert not _claim(other.id, old_due, ReminderStatus.SENT, "gammal tid")


def test_reminders_whose_moment_is_already_past_when_scheduled_are_skipped(app, db):
    clock.set_now(at("2025-11-06T08:30:00+01:00"))  # made 90 minutes before the start
    event = make_event()
    assert _statuses(event) == {1440: "skipped", 60: "pending"}
    sign_up(event)
    # Moved at 08.45 to start at 09.30: the hour-before moment is past, and people have just had the update.
    clock.set_now(at("2025-11-06T08:45:00+01:00"))
    data, _ = parse_event(dataclasses.replace(input_for(event), start="2025-11-06 09:30", end="2025-11-06 11:00"))
    update_event(event, data)
    assert _statuses(event) == {1440: "skipped", 60: "skipped"}
    assert send_due_reminders() == 0
    # Moved back to 10.00: the hour-before reminder is ahead again, and it goes at 09.00.
    data, _ = parse_event(dataclasses.replace(input_for(event), start="2025-11-06 10:00", end="2025-11-06 11:30"))
    update_event(event, data)
    assert _statuses(event) == {1440: "skipped", 60: "pending"}
    clock.set_now(at("2025-11-06T09:00:05+01:00"))
    assert send_due_reminders() == 1
