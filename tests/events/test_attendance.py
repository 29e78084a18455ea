"""`hti event attendance`: each report shape read, matched by address, rejoins summed, name matches offered and
not applied, walk-ins listed and added, an empty report, another event's report warned, a new import replacing."""
from __future__ import annotations

import json

import pytest

from hti_comms import clock
from hti_comms.events import attendance
from hti_comms.events.attendance_models import Attendee
from hti_comms.events.models import Registration
from hti_comms.events.registration import cancel_registration

from . import attendance_samples as samples
from .helpers import at, make_event, sign_up

FORMATS = {
    "zoom-webinar.csv": (lambda: samples.ZOOM_WEBINAR.encode("utf-8"), "1 deltog, 2 uteblev, 2 okända"),
    "zoom-meeting.csv": (lambda: samples.ZOOM_MEETING.encode("utf-8"), "1 deltog, 2 uteblev, 2 okända"),
    "teams.csv": (samples.teams_bytes, "1 deltog, 2 uteblev, 2 okända"),
    "narvaro.csv": (lambda: samples.PLAIN.encode("cp1252"), "1 deltog, 2 uteblev, 1 okända"),
    "narvaro.xlsx": (samples.xlsx_bytes, "1 deltog, 2 uteblev, 1 okända"),
}


@pytest.fixture
def course(app, db):
    """The course of 6 November with Anna, Bertil (at work), Cecilia and David (who cancelled); now the day after."""
    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    sign_up(event, "Anna Andersson", "anna@example.se")
    sign_up(event, "Bertil Berg", "bertil@kommun.example")
    sign_up(event, "Cecilia Ceder", "cecilia@example.se")
    david = sign_up(event, "David Dahl", "david@example.se").registration
    cancel_registration(david)
    db.session.commit()
    clock.set_now(at("2025-11-07T09:00:00+01:00"))
    return event


def _import(runner, tmp_path, event, name: str, data: bytes, *extra, input=None):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["hti", "event", "attendance", str(event.id), "--import", str(path), *extra],
                         input=input)


def _attendance(runner, event) -> dict:
    result = runner.invoke(args=["hti", "event", "attendance", str(event.id), "--format", "json"])
    assert result.exit_code == 0, result.output
    return {row["email"]: (row["attended"], row["minutes"]) for row in json.loads(result.output)}


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_report_shape_is_read_and_matched_by_address(runner, tmp_path, course, name):
    assert set(_attendance(runner, course).values()) == {(None, None)}  # before any import

    data, summary = FORMATS[name]
    result = _import(runner, tmp_path, course, name, data())

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == summary
    seen = _attendance(runner, course)
    # Anna left and rejoined (42 + 45 minutes); in Teams her whole time is one line.
    assert seen["anna@example.se"] == (True, 87)
    assert seen["bertil@kommun.example"] == (False, 0)
    assert seen["cecilia@example.se"] == (False, 0)
    assert seen["david@example.se"] == (False, 0)
    # Hosts, panelists and the Teams organiser are staff, not attendees.
    assert "eva.eriksson" not in result.output and "lars.larsson" not in result.output
    assert "Okänd: Gustav Gran <gustav@example.se>, 60 min" in result.output


def test_a_registration_under_another_address_is_offered_by_name_and_applied_only_when_confirmed(
        runner, tmp_path, db, course):
    result = _import(runner, tmp_path, course, "zoom.csv", samples.ZOOM_WEBINAR.encode())
    assert "Okänd: Bertil Berg <bertil.berg@privat.example>, 90 min – samma namn som anmälda " \
           "bertil@kommun.example" in result.output
    bertil = db.session.query(Registration).filter_by(email="bertil@kommun.example").one()
    assert bertil.attended is False

    line = next(a for a in attendance.unknown_attendees(course) if a.email == "bertil.berg@privat.example")
    assert line.suggested_registration_id == bertil.id
    attendance.confirm_name_match(line)
    db.session.commit()
    assert _attendance(runner, course)["bertil@kommun.example"] == (True, 90)
    assert [a.email for a in attendance.unknown_attendees(course)] == ["gustav@example.se"]


def test_a_walk_in_is_listed_and_can_be_added(runner, tmp_path, db, course):
    _import(runner, tmp_path, course, "zoom.csv", samples.ZOOM_WEBINAR.encode())
    gustav = next(a for a in attendance.unknown_attendees(course) if a.email == "gustav@example.se")
    assert gustav.suggested_registration_id is None

    attendance.add_walk_in(gustav)
    db.session.commit()
    assert _attendance(runner, course)["gustav@example.se"] == (True, 60)
    added = db.session.query(Registration).filter_by(email="gustav@example.se").one()
    assert added.name == "Gustav Gran" and added.status.value == "registered"


def test_an_empty_report_marks_everyone_absent(runner, tmp_path, course):
    result = _import(runner, tmp_path, course, "tom.csv", samples.EMPTY_ZOOM_MEETING.encode())
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "0 deltog, 3 uteblev, 0 okända"
    assert _attendance(runner, course)["anna@example.se"] == (False, 0)


def test_a_report_of_another_day_is_warned_about_and_saved_only_when_confirmed(runner, tmp_path, course):
    refused = _import(runner, tmp_path, course, "mars.csv", samples.OTHER_EVENT.encode(), input="n\n")
    assert refused.exit_code != 0
    assert "Varning: Rapporten gäller ett möte den onsdag 12 mars 2025" in refused.output
    assert "Inget sparades" in refused.output
    assert _attendance(runner, course)["anna@example.se"] == (None, None)

    confirmed = _import(runner, tmp_path, course, "mars.csv", samples.OTHER_EVENT.encode(), "--yes")
    assert confirmed.exit_code == 0, confirmed.output
    assert _attendance(runner, course)["anna@example.se"] == (True, 87)


def test_importing_again_replaces_the_earlier_import(runner, tmp_path, db, course):
    _import(runner, tmp_path, course, "zoom.csv", samples.ZOOM_WEBINAR.encode())
    result = _import(runner, tmp_path, course, "ny.csv", b"E-post;Minuter\ncecilia@example.se;30\n")
    assert result.output.strip().splitlines()[-1] == "1 deltog, 2 uteblev, 0 okända"
    seen = _attendance(runner, course)
    assert seen["anna@example.se"] == (False, 0) and seen["cecilia@example.se"] == (True, 30)
    assert [a.email for a in db.session.query(Attendee).filter_by(event_id=course.id)] == ["cecilia@example.se"]


def test_a_file_without_an_address_column_is_refused_with_nothing_saved(runner, tmp_path, course):
    result = _import(runner, tmp_path, course, "fel.csv", b"Namn;Minuter\nAnna;30\n")
    assert result.exit_code != 0
    assert "ingen kolumn med e-postadresser" in result.output
    assert _attendance(runner, course)["anna@example.se"] == (None, None)
