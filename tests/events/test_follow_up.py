"""`hti event follow-up`: thanks (recording, material, feedback and certificate links) to those who came, "Vi
saknade dig" (the recording) to those who did not, each once, never to people who cancelled."""
from __future__ import annotations

from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage
from hti_comms.events.afterlinks import CERTIFICATE_PATH, FEEDBACK_PATH

from . import attendance_samples as samples
from .helpers import at, by_recipient, deliver, make_event
from .test_attendance import _import, course  # noqa: F401 - the fixture

RECORDING = "https://www.spfseniorerna.se/inspelningar/grundkurs-2025"
MATERIAL = "https://www.spfseniorerna.se/material/grundkurs.pdf"


def _follow_up(runner, event, *extra, input=None):
    return runner.invoke(args=["hti", "event", "follow-up", str(event.id), "--recording-url", RECORDING, *extra],
                         input=input)


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_thanks_to_attendees_and_we_missed_you_to_no_shows_once_each(runner, tmp_path, db, mail_sink,
                                                                      course):  # noqa: F811
    _import(runner, tmp_path, course, "zoom.csv", samples.ZOOM_WEBINAR.encode())

    asked = _follow_up(runner, course, "--material-url", MATERIAL, input="n\n")
    assert asked.exit_code != 0 and "Inget skickades" in asked.output
    assert "”Tack för att du deltog: Grundkurs om Hemtjänstindex” till 1 som deltog" in asked.output
    assert "”Vi saknade dig: Grundkurs om Hemtjänstindex” till 2 som var anmälda men uteblev" in asked.output
    assert db.session.scalar(select(func.count(OutboxMessage.id))
                             .where(OutboxMessage.email == "anna@example.se")) == 1  # the confirmation only

    sent = _follow_up(runner, course, "--material-url", MATERIAL, "--yes")
    assert sent.exit_code == 0, sent.output
    again = _follow_up(runner, course, "--yes")
    assert again.exit_code == 0, again.output

    # Four confirmations and David's cancellation came before.
    messages = [m for m in deliver(mail_sink, 5 + 3) if m["Subject"].startswith(("Tack för", "Vi saknade"))]
    assert len(messages) == 3
    thanks = by_recipient(messages, "anna@example.se")
    assert [m["Subject"] for m in thanks] == ["Tack för att du deltog: Grundkurs om Hemtjänstindex"]
    text = _text(thanks[0])
    assert RECORDING in text and MATERIAL in text and FEEDBACK_PATH in text and CERTIFICATE_PATH in text
    for email in ("bertil@kommun.example", "cecilia@example.se"):
        (missed,) = by_recipient(messages, email)
        assert missed["Subject"] == "Vi saknade dig: Grundkurs om Hemtjänstindex"
        assert RECORDING in _text(missed) and MATERIAL not in _text(missed)
    assert not by_recipient(messages, "david@example.se")
    follow_ups = db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.email.in_(["anna@example.se", "bertil@kommun.example", "cecilia@example.se",
                                 "david@example.se"])))
    assert follow_ups == 5 + 3  # nothing twice


def test_nothing_is_sent_before_attendance_is_imported(runner, course):  # noqa: F811
    result = _follow_up(runner, course, "--yes")
    assert result.exit_code != 0 and "Läs in närvaron först" in result.output


def test_an_event_without_registration_sends_nothing(runner, app, db):
    clock.set_now(at("2025-11-20T09:00:00+01:00"))
    webcast = make_event(kind="webbsandning", title="Vinnarna berättar", registration="none", join_url="",
                         speakers="", stream_url="https://www.spfseniorerna.se/sandning")
    db.session.commit()
    result = _follow_up(runner, webcast, "--yes")
    assert result.exit_code != 0 and "ingen anmälan här" in result.output
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_recording_and_material_are_on_the_public_page_after_the_event(app, db, client):
    from hti_comms.events import followup

    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    followup.set_links(event, recording_url=RECORDING, material_urls=MATERIAL)
    db.session.commit()
    before = client.get(f"/evenemang/{event.id}").get_data(True)
    assert RECORDING not in before and MATERIAL not in before
    clock.set_now(at("2025-11-06T12:00:00+01:00"))
    after = client.get(f"/evenemang/{event.id}").get_data(True)
    assert "Inspelning och material" in after and RECORDING in after and MATERIAL in after


def test_a_link_that_is_no_web_address_is_refused_and_nothing_saved(app, db):
    import pytest

    from hti_comms.events import followup

    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    with pytest.raises(followup.FollowUpError, match="fullständig webbadress"):
        followup.set_links(event, recording_url=RECORDING, material_urls="https://ok.example/a\nwww.fel")
    assert event.recording_url == "" and event.material_urls == ""
