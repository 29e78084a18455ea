"""Changes reach every registered person: same UID, higher SEQUENCE, "Ändrad tid"; a cancelled event is CANCEL."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import vobject

from hti_comms import clock
from hti_comms.events.inputs import input_for, parse_event
from hti_comms.events.services import cancel_event, update_event

from .helpers import JOIN_URL, STOCKHOLM_NOW, at, by_recipient, calendars_in, deliver, invitation_of, make_event, sign_up

UTC = timezone.utc
NEW_JOIN_URL = "https://spfseniorerna.zoom.us/j/99999999999"


def _change(event, **values):
    data, findings = parse_event(dataclasses.replace(input_for(event), **values))
    assert data is not None, [str(f) for f in findings]
    return update_event(event, data)


def _vevent(message):
    return invitation_of(message).walk("VEVENT")[0]


def test_uid_stays_and_sequence_rises_over_two_changes(app, db, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    anna = sign_up(event, "Anna", "anna@example.se").registration
    bo = sign_up(event, "Bo", "bo@example.se").registration
    first = deliver(mail_sink, 2)
    assert {str(_vevent(m)["UID"]) for m in first} == {anna.calendar_uid, bo.calendar_uid}
    assert {int(_vevent(m)["SEQUENCE"]) for m in first} == {0}

    result = _change(event, start="2025-11-13 10:00", end="2025-11-13 11:30")
    assert (result.time_changed, result.updates_sent) == (True, 2)
    second = deliver(mail_sink, 4)[2:]
    for message in second:
        assert message["Subject"] == "Ändrad tid: Grundkurs om Hemtjänstindex, torsdag 13 november kl. 10.00–11.30"
        text = message.get_body(("plain",)).get_content()
        assert "torsdag 13 november kl. 10.00–11.30" in text and "torsdag 6 november kl. 10.00–11.30" in text
        assert [method for method, _ in calendars_in(message)] == ["REQUEST", "REQUEST"]
    (anna_update,) = by_recipient(second, "anna@example.se")
    vevent = _vevent(anna_update)
    assert str(vevent["UID"]) == anna.calendar_uid and int(vevent["SEQUENCE"]) == 1
    assert vevent.decoded("DTSTART").astimezone(UTC) == datetime(2025, 11, 13, 9, 0, tzinfo=UTC)

    # A new join link is the second change: the same UIDs again, SEQUENCE 2, and the new link.
    result = _change(event, join_url=NEW_JOIN_URL)
    assert (result.time_changed, result.link_changed, result.updates_sent) == (False, True, 2)
    third = deliver(mail_sink, 6)[4:]
    (bo_update,) = by_recipient(third, "bo@example.se")
    assert bo_update["Subject"].startswith("Ny länk: Grundkurs om Hemtjänstindex")
    parsed = vobject.readOne(calendars_in(bo_update)[0][1])
    assert parsed.vevent.uid.value == bo.calendar_uid
    assert int(parsed.vevent.sequence.value) == 2
    assert parsed.vevent.location.value == NEW_JOIN_URL
    assert JOIN_URL not in bo_update.get_body(("plain",)).get_content()

    # Someone registering now gets the current version straight away.
    sign_up(event, "Cilla", "cilla@example.se")
    (cilla,) = by_recipient(deliver(mail_sink, 7)[6:], "cilla@example.se")
    assert int(_vevent(cilla)["SEQUENCE"]) == 2


def test_edits_without_new_time_or_link_raise_sequence_but_send_nothing(app, db, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    sign_up(event)
    deliver(mail_sink, 1)
    result = _change(event, title="Grundkurs om Hemtjänstindex 2025")
    assert (result.calendar_changed, result.updates_sent, event.sequence) == (True, 0, 1)
    result = _change(event, capacity="30")
    assert (result.calendar_changed, event.sequence) == (False, 1)
    from hti_comms.delivery.worker import deliver_due

    assert deliver_due() == 0


def test_cancelling_the_event_sends_cancel_to_everyone_registered(app, db, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event(capacity="1")
    anna = sign_up(event, "Anna", "anna@example.se").registration
    sign_up(event, "Bo", "bo@example.se")  # on the waiting list
    deliver(mail_sink, 2)
    assert cancel_event(event) == 2
    messages = deliver(mail_sink, 4)[2:]
    (to_anna,) = by_recipient(messages, "anna@example.se")
    assert to_anna["Subject"] == "Inställt: Grundkurs om Hemtjänstindex"
    assert [method for method, _ in calendars_in(to_anna)] == ["CANCEL", "CANCEL"]
    vevent = _vevent(to_anna)
    assert str(vevent["UID"]) == anna.calendar_uid and int(vevent["SEQUENCE"]) == 1
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.se"
    parsed = vobject.readOne(calendars_in(to_anna)[0][1])
    assert parsed.method.value == "CANCEL" and parsed.vevent.status.value == "CANCELLED"
    (to_bo,) = by_recipient(messages, "bo@example.se")
    assert calendars_in(to_bo) == []  # he never had an invitation
    assert "Du stod på väntelistan" in to_bo.get_body(("plain",)).get_content()
    assert all(r.status.value == "skipped" for r in event.reminders)
