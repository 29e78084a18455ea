"""02:30 Stockholm time on the days the clocks change: the documented rule, through the staff form and the sweep."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.scheduling.localtime import is_repeated, is_skipped, stockholm_to_utc
from hti_comms.scheduling.sweeps import load_sweeps, run_sweep
from tests.helpers import form_csrf_token

UTC = timezone.utc
SPRING = datetime(2027, 3, 28, 2, 30)    # last Sunday of March 2027: 02:00 → 03:00
AUTUMN = datetime(2027, 10, 31, 2, 30)   # last Sunday of October 2027: 03:00 → 02:00


@pytest.mark.parametrize(("local", "expected", "skipped", "repeated"), [
    (SPRING, datetime(2027, 3, 28, 1, 30, tzinfo=UTC), True, False),        # = 03:30 summer time
    (AUTUMN, datetime(2027, 10, 31, 0, 30, tzinfo=UTC), False, True),       # first 02:30, summer time
    (datetime(2027, 3, 28, 1, 59), datetime(2027, 3, 28, 0, 59, tzinfo=UTC), False, False),
    (datetime(2027, 3, 28, 3, 0), datetime(2027, 3, 28, 1, 0, tzinfo=UTC), False, False),
    (datetime(2027, 10, 31, 3, 0), datetime(2027, 10, 31, 2, 0, tzinfo=UTC), False, False),
    (datetime(2027, 7, 1, 2, 30), datetime(2027, 7, 1, 0, 30, tzinfo=UTC), False, False),
])
def test_rule(local, expected, skipped, repeated):
    assert stockholm_to_utc(local) == expected
    assert (is_skipped(local), is_repeated(local)) == (skipped, repeated)


def schedule_through_form(client, local: datetime) -> str:
    token = form_csrf_token(client, "/admin/utkorg/provbrev")
    response = client.post("/admin/utkorg/provbrev", data={
        "csrf_token": token, "email": "eva@example.se", "name": "Eva", "send_at": local.strftime("%Y-%m-%dT%H:%M"),
        "confirmed": "1"},
        follow_redirects=True)
    return response.get_data(as_text=True)


def deliver_at(moment: datetime) -> int:
    clock.set_now(moment)
    load_sweeps()
    run_sweep("delivery.start_due_sends")
    return deliver_due()


@pytest.mark.parametrize(("local", "messages", "due_at", "checks"), [
    # Spring: 02:30 does not exist; it becomes 03:30 summer time = 01:30 UTC.
    (SPRING, ["Klockslaget 02.30 finns inte den dagen", "söndag 28 mars 2027 kl. 03.30"],
     datetime(2027, 3, 28, 1, 30, tzinfo=UTC), [(datetime(2027, 3, 28, 3, 0, tzinfo=UTC), 0)]),
    # Autumn: 02:30 happens twice; the first (summer time, 00:30 UTC) counts. At 01:30 UTC the wall clock
    # reads 02:30 again (winter time): nothing more is sent.
    (AUTUMN, ["inträffar två gånger den dagen", "söndag 31 oktober 2027 kl. 02.30 sommartid"],
     datetime(2027, 10, 31, 0, 30, tzinfo=UTC), [(datetime(2027, 10, 31, 1, 30, 1, tzinfo=UTC), 0)]),
], ids=["march-skipped-hour", "october-repeated-hour"])
def test_0230_on_a_clock_change_day_is_sent_once_at_the_documented_instant(app, db, staff_login, mail_sink,
                                                                          local, messages, due_at, checks):
    clock.set_now(local.replace(day=1, hour=12, tzinfo=UTC))
    page = schedule_through_form(staff_login, local)
    for message in messages:
        assert message in page
    assert db.session.scalar(select(Send.scheduled_at)) == due_at
    assert deliver_at(due_at - timedelta(seconds=30)) == 0
    assert deliver_at(due_at + timedelta(seconds=1)) == 1
    for moment, expected in checks:
        assert deliver_at(moment) == expected
    assert len(mail_sink.wait_for(1)) == 1


def test_a_time_in_the_past_is_refused(app, db, staff_login):
    clock.set_now(datetime(2027, 3, 29, 12, 0, tzinfo=UTC))
    page = schedule_through_form(staff_login, SPRING)
    assert "Tiden har redan passerat" in page
    assert db.session.scalar(select(Send.id)) is None


def test_wall_clock_and_utc_round_trip_across_the_autumn_change():
    first = stockholm_to_utc(AUTUMN)
    second_occurrence = first + timedelta(hours=1)
    assert clock.to_stockholm(second_occurrence).replace(tzinfo=None) == AUTUMN


def test_the_one_owner_reads_typed_text_and_writes_the_one_note():
    from hti_comms.scheduling.localtime import dst_note, read_wall_clock

    spring, autumn = read_wall_clock("2027-03-28 02:30"), read_wall_clock(" 2027-10-31T2.30 ")
    assert (spring, autumn) == (SPRING, AUTUMN)
    assert stockholm_to_utc(spring) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)   # the gap: one hour later
    assert stockholm_to_utc(autumn) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the fold: the first one
    assert dst_note(spring, "Det gäller") == ("Klockslaget 02.30 finns inte den dagen (klockan ställs fram en "
                                              "timme). Det gäller söndag 28 mars 2027 kl. 03.30.")
    assert dst_note(autumn, "Det gäller", label="Start") == (
        "Start: klockslaget 02.30 inträffar två gånger den dagen (klockan ställs tillbaka). Det gäller den första "
        "gången, söndag 31 oktober 2027 kl. 02.30 sommartid.")
    assert dst_note(datetime(2027, 7, 1, 2, 30), "Det gäller") == ""
    assert read_wall_clock("2027-03-28") is None and read_wall_clock("28/3 2027 02:30") is None
    assert read_wall_clock("2027-03-28", default_time=SPRING.time()) == SPRING
    with pytest.raises(ValueError):
        read_wall_clock("2027-02-30 10:00")
