"""`hti event …` exactly as the issue gives it: create, list (JSON), ics, register; and HTI_FAKE_NOW."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta

import vobject
from icalendar import Calendar
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.events.models import Event, Registration, RegistrationStatus
from tests.processes import PROJECT_ROOT

from .helpers import at

CREATE = ["event", "create", "--kind", "kurs", "--title", "Grundkurs om Hemtjänstindex", "--start",
          "2025-11-06 10:00", "--end", "2025-11-06 11:30", "--registration", "here", "--join-url",
          "https://spfseniorerna.zoom.us/j/81234567890", "--capacity", "1"]


def _hti(runner, *args):
    return runner.invoke(args=["hti", *args], catch_exceptions=False)


def _last_number(output: str) -> int:
    return int(re.findall(r"\d+", output.strip().splitlines()[-1])[-1])


def test_create_list_ics_and_register(app, db, runner):
    clock.set_now(at("2025-11-05T09:00:00+01:00"))  # a Wednesday
    result = _hti(runner, *CREATE)
    assert result.exit_code == 0, result.output
    event_id = _last_number(result.output)
    assert db.session.get(Event, event_id).title == "Grundkurs om Hemtjänstindex"

    webcast = _hti(runner, "event", "create", "--kind", "webbsandning", "--title", "Vinnarna berättar",
                   "--start", "2025-11-13 10:00", "--end", "2025-11-13 11:00",
                   "--stream-url", "https://www.spfseniorerna.se/sandning")
    assert webcast.exit_code == 0, webcast.output

    listed = json.loads(_hti(runner, "event", "list", "--format", "json").output)
    assert [e["title"] for e in listed] == ["Grundkurs om Hemtjänstindex", "Vinnarna berättar"]
    course = listed[0]
    assert course["id"] == event_id and course["kind"] == "kurs"
    assert course["start"] == "2025-11-06T10:00:00+01:00" and course["end"] == "2025-11-06T11:30:00+01:00"
    assert course["when_text"] == "torsdag 6 november kl. 10.00–11.30"
    assert course["relative"] == "i morgon"
    assert listed[1]["relative"] == "nästa vecka" and listed[1]["kind"] == "webbsandning"
    assert "zoom" not in json.dumps(listed)

    ics = _hti(runner, "event", "ics", str(event_id)).output
    assert "METHOD:PUBLISH" in ics and "ATTENDEE" not in ics and "zoom" not in ics.replace("\r\n ", "")
    assert str(Calendar.from_ical(ics).walk("VEVENT")[0]["SUMMARY"]) == "Grundkurs om Hemtjänstindex"
    assert vobject.readOne(ics).vevent.dtstart.value.utcoffset().total_seconds() == 3600

    registered = _hti(runner, "event", "register", str(event_id), "--name", "Anna Andersson", "--email",
                      "anna@example.se")
    assert registered.exit_code == 0 and "är anmäld" in registered.output
    waiting = _hti(runner, "event", "register", str(event_id), "--name", "Bo Berg", "--email", "bo@example.se")
    assert "väntelistan" in waiting.output
    again = _hti(runner, "event", "register", str(event_id), "--name", "Anna", "--email", "ANNA@example.se")
    assert "redan anmäld; bekräftelsen skickades inom de senaste 60 minuterna och skickas inte igen nu" in again.output
    clock.set_now(clock.now() + timedelta(hours=1))
    again = _hti(runner, "event", "register", str(event_id), "--name", "Anna", "--email", "ANNA@example.se")
    assert "redan anmäld; bekräftelsen skickas igen." in again.output
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses == {"anna@example.se": RegistrationStatus.REGISTERED, "bo@example.se": RegistrationStatus.WAITING}
    kinds = db.session.execute(select(Send.kind, OutboxMessage.email).join(OutboxMessage).order_by(OutboxMessage.id))
    assert list(kinds) == [("event_confirmation", "anna@example.se"), ("event_waiting_list", "bo@example.se"),
                           ("event_confirmation", "anna@example.se")]


def test_bad_input_is_refused_with_swedish_messages_and_nothing_saved(app, db, runner):
    clock.set_now(at("2025-11-05T09:00:00+01:00"))
    result = runner.invoke(args=["hti", "event", "create", "--kind", "kurs", "--title", "Kurs", "--start",
                                 "6 november", "--end", "2025-11-06 09:00"])
    assert result.exit_code != 0
    assert "Start: ”6 november” är inte ett datum och en tid" in result.output
    lookalike = runner.invoke(args=["hti", "event", "create", "--kind", "webbinarium", "--title", "Webbinarium",
                                    "--start", "2025-11-27 10:00", "--end", "2025-11-27 12:00", "--registration",
                                    "external", "--registration-url", "https://www.spfsenirerna.se/anmalan"])
    assert lookalike.exit_code != 0
    assert "liknar ”spfseniorerna.se”" in lookalike.output
    publication = runner.invoke(args=["hti", "event", "create", "--kind", "publicering", "--title", "Publicering",
                                      "--start", "2025-12-02 07:00", "--end", "2025-12-02 07:00", "--join-url",
                                      "https://spfseniorerna.zoom.us/j/1"])
    assert publication.exit_code != 0 and "En publicering har ingen möteslänk." in publication.output
    assert db.session.scalar(select(Event)) is None
    unknown = runner.invoke(args=["hti", "event", "register", "999", "--name", "A", "--email", "a@example.se"])
    assert unknown.exit_code != 0 and "Det finns inget evenemang med id 999." in unknown.output


def test_change_and_cancel_from_the_command_line(app, db, runner):
    clock.set_now(at("2025-11-05T09:00:00+01:00"))
    event_id = _last_number(_hti(runner, *CREATE).output)
    _hti(runner, "event", "register", str(event_id), "--name", "Anna", "--email", "anna@example.se")
    changed = _hti(runner, "event", "change", str(event_id), "--start", "2025-11-13 10:00", "--end", "2025-11-13 11:30")
    assert "version 1" in changed.output and "1 anmälda får ett brev om ändringen." in changed.output
    cancelled = _hti(runner, "event", "cancel", str(event_id), "--yes")
    assert "är inställt; 1 person får ett brev om det." in cancelled.output
    subjects = db.session.scalars(select(Send.subject).order_by(Send.id)).all()
    assert subjects[1].startswith("Ändrad tid: ") and subjects[2] == "Inställt: Grundkurs om Hemtjänstindex"


def test_relative_follows_hti_fake_now_in_a_real_process(app, db, migrated_database, runner):
    """The one subprocess test here: HTI_FAKE_NOW, read at start-up, is what `relative` is computed from."""
    clock.set_now(at("2025-11-05T09:00:00+01:00"))
    _hti(runner, *CREATE)
    db.session.commit()
    # The test's clock says Wednesday 5 November ("i morgon"); the process starts its clock a week earlier.
    environment = dict(os.environ, HTI_ENV="test", DATABASE_URL=migrated_database,
                       HTI_FAKE_NOW="2025-10-29T09:00:00+01:00", BASE_URL="https://hti.example.se")
    completed = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "hti", "event", "list", "--format",
                                "json"], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)[0]["relative"] == "nästa vecka"
    assert json.loads(_hti(runner, "event", "list", "--format", "json").output)[0]["relative"] == "i morgon"


def test_control_characters_are_refused_from_the_command_line(app, db, runner):
    clock.set_now(at("2025-11-05T09:00:00+01:00"))
    result = runner.invoke(args=["hti", "event", "create", "--kind", "kurs", "--title", "Kurs\x00", "--start",
                                 "2025-11-06 10:00", "--end", "2025-11-06 11:00"])
    assert result.exit_code != 0 and "Rubrik: Texten innehåller ett osynligt NUL-tecken" in result.output
    event_id = _last_number(_hti(runner, *CREATE).output)
    refused = runner.invoke(args=["hti", "event", "register", str(event_id), "--name", "Anna\x07", "--email",
                                  "anna@example.se"])
    assert refused.exit_code != 0 and "Namnet innehåller ett osynligt styrtecken (kod 7)" in refused.output
    assert db.session.scalar(select(Registration)) is None
