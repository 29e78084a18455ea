"""The .ics files read back with icalendar and with vobject (an independent parser that builds the zone from our
VTIMEZONE with dateutil): UTC instants on both sides of the DST changes, the zone's rules, the public feed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import vobject
from dateutil.tz.tz import _tzicalvtz
from icalendar import Calendar

from hti_comms import clock
from hti_comms.events.calendar import public_calendar, stockholm_timezone
from hti_comms.events.services import cancel_event

from .helpers import JOIN_URL, at, make_event

UTC = timezone.utc

#: (Stockholm wall-clock start as typed, the UTC instant it must be) around the changes of 2025–2026.
DST_CASES = [
    ("2025-10-23 10:00", datetime(2025, 10, 23, 8, 0, tzinfo=UTC)),   # summer time, the week before
    ("2025-10-26 01:30", datetime(2025, 10, 25, 23, 30, tzinfo=UTC)),  # change night, before it
    ("2025-10-26 02:30", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),   # exists twice: the first (summer time)
    ("2025-10-26 03:30", datetime(2025, 10, 26, 2, 30, tzinfo=UTC)),   # after it: winter time
    ("2025-10-30 10:00", datetime(2025, 10, 30, 9, 0, tzinfo=UTC)),    # winter time, the week after
    ("2026-03-26 10:00", datetime(2026, 3, 26, 9, 0, tzinfo=UTC)),     # winter time, the week before
    ("2026-03-29 01:30", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),    # change night, before it
    ("2026-03-29 02:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),    # does not exist: 03:30 summer time
    ("2026-03-29 03:30", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    ("2026-04-02 10:00", datetime(2026, 4, 2, 8, 0, tzinfo=UTC)),      # summer time, the week after
]


def _instants_with_icalendar(data: bytes) -> list[tuple[datetime, datetime]]:
    calendar = Calendar.from_ical(data)
    return [(e.decoded("DTSTART").astimezone(UTC), e.decoded("DTEND").astimezone(UTC)) for e in calendar.walk("VEVENT")]


def _instants_with_vobject(data: bytes) -> list[tuple[datetime, datetime]]:
    calendar = vobject.readOne(data.decode("utf-8"))
    found = []
    for vevent in calendar.vevent_list:
        start, end = vevent.dtstart.value, vevent.dtend.value
        # The zone came from the file's own VTIMEZONE (dateutil's reading of its rules), not a zone database.
        assert isinstance(start.tzinfo, _tzicalvtz)
        found.append((start.astimezone(UTC), end.astimezone(UTC)))
    return found


def test_utc_instants_around_the_dst_changes_with_both_parsers(app, db):
    clock.set_now(at("2025-06-15T12:00:00+02:00"))  # created in summer, several of them for a date in winter
    for typed, instant in DST_CASES:
        end_typed = (datetime.strptime(typed, "%Y-%m-%d %H:%M") + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
        event = make_event(start=typed, end=end_typed)
        assert event.starts_at == instant, typed
        data = public_calendar([event])
        assert b"DTSTART;TZID=Europe/Stockholm:" in data
        assert _instants_with_icalendar(data) == [(instant, event.ends_at)], typed
        assert _instants_with_vobject(data) == [(instant, event.ends_at)], typed


def test_an_event_made_in_summer_for_a_winter_date_keeps_its_wall_clock_time(app, db):
    clock.set_now(at("2025-07-01T12:00:00+02:00"))
    event = make_event(start="2026-01-15 10:00", end="2026-01-15 11:30")
    data = public_calendar([event])
    assert b"DTSTART;TZID=Europe/Stockholm:20260115T100000" in data
    winter = (datetime(2026, 1, 15, 9, 0, tzinfo=UTC), datetime(2026, 1, 15, 10, 30, tzinfo=UTC))
    assert _instants_with_icalendar(data) == [winter]
    assert _instants_with_vobject(data) == [winter]


def test_the_vtimezone_rules_match_the_zone_database_for_decades():
    """Our VTIMEZONE, as two other implementations read it, gives the offsets Europe/Stockholm has."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//test//")
    calendar.add_component(stockholm_timezone())
    text = calendar.to_ical().decode()
    from_vobject = vobject.readOne(text).vtimezone.gettzinfo()
    from_icalendar = Calendar.from_ical(text).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    checked = 0
    for year in range(2020, 2041):
        for month in (3, 10):
            last_sunday = max(datetime(year, month, day, tzinfo=UTC) for day in range(25, 32)
                              if datetime(year, month, day).weekday() == 6)
            start = last_sunday - timedelta(days=1)
            for hour in range(0, 3 * 24):
                moment = start + timedelta(hours=hour)
                expected = moment.astimezone(clock.STOCKHOLM).utcoffset()
                assert moment.astimezone(from_vobject).utcoffset() == expected, moment
                assert moment.astimezone(from_icalendar).utcoffset() == expected, moment
                checked += 1
    assert checked == 21 * 2 * 3 * 24


def test_public_feed_has_no_attendees_and_no_private_links(app, db, client):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    course = make_event()
    webcast = make_event(kind="webbsandning", title="Vinnarna berättar", registration="none", join_url="",
                         stream_url="https://www.spfseniorerna.se/sandning", start="2025-12-11 10:00",
                         end="2025-12-11 11:00")
    past = make_event(title="Förra årets kurs", start="2025-09-01 10:00", end="2025-09-01 11:00")
    response = client.get("/kalender.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    data = response.data
    for raw in (data, client.get(f"/evenemang/{course.id}.ics").data):
        unfolded = raw.replace(b"\r\n ", b"")
        assert JOIN_URL.encode() not in unfolded and b"zoom" not in unfolded
        assert b"ATTENDEE" not in unfolded and b"avboka" not in unfolded
        assert b"METHOD:PUBLISH" in raw
    calendar = Calendar.from_ical(data)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    assert summaries == ["Grundkurs om Hemtjänstindex", "Vinnarna berättar"]  # upcoming only, soonest first
    assert past.title not in data.decode()
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert uids == [f"hti-evenemang-{course.id}@hti.example.se", f"hti-evenemang-{webcast.id}@hti.example.se"]
    webcast_event = calendar.walk("VEVENT")[1]
    assert webcast_event["LOCATION"] == "https://www.spfseniorerna.se/sandning"
    assert "Ingen anmälan krävs" in webcast_event["DESCRIPTION"]
    assert _instants_with_vobject(data)[0][0] == datetime(2025, 11, 6, 9, 0, tzinfo=UTC)

    webcast_ics = client.get(f"/evenemang/{webcast.id}.ics")
    assert webcast_ics.headers["Content-Disposition"] == f'attachment; filename="evenemang-{webcast.id}.ics"'

    cancel_event(course)
    cancelled = Calendar.from_ical(client.get("/kalender.ics").data).walk("VEVENT")[0]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 1
    assert str(cancelled["SUMMARY"]) == "Inställt: Grundkurs om Hemtjänstindex"
