"""Publication morning runs itself: the local briefs, the district digests and the "Min kommun" alerts go out at the
publication moment and never a second before, with figures checked; a postponement moves all of them; a
municipality whose figures fail the check gets nothing and staff see why; whoever left before gets nothing."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.publication.moments import parse_wall_clock, set_publication
from hti_comms.publication.timeline import timeline
from hti_comms.scheduling.sweeps import run_all_once

from .helpers import PUBLISHED_AT, html_of, results_for_2025, text_of, to_of

COUNCIL_VASBY, COUNCIL_VALLENTUNA = "rad@vasby.example.se", "rad@vallentuna.example.se"
CHAIR = "ordforande@stockholm.example.se"
FOLLOWER_VASBY, FOLLOWER_BOTH = "eva@exempel.se", "olle@exempel.se"


@pytest.fixture
def morning(app, runner, make_contact):
    """2025 with known figures; two councils and a district chair on "Lokala resultat"; three alert followers;
    the briefs chosen for the publication. The clock stands a month before 07.00 on 4 December 2025."""
    results_for_2025()
    make_contact(COUNCIL_VASBY, municipality="Upplands Väsby", list_keys=("lokala-resultat",))
    make_contact(COUNCIL_VALLENTUNA, municipality="Vallentuna", list_keys=("lokala-resultat",))
    make_contact(CHAIR, role="district_chair", municipality="Upplands Väsby", list_keys=("lokala-resultat",))
    for email, code in ((FOLLOWER_VASBY, "0114"), (FOLLOWER_BOTH, "Upplands Väsby"), (FOLLOWER_BOTH, "0115")):
        result = runner.invoke(args=["hti", "alert", "add", "--email", email, "--municipality", code])
        assert result.exit_code == 0, result.output
    result = runner.invoke(args=["hti", "brief", "schedule", "--year", "2025", "--at-publication"])
    assert result.exit_code == 0, result.output
    assert "Lokala resultatbrev och distriktsbrev för 2025 skickas av sig själva vid publiceringen, torsdag " \
           "4 december 2025 kl. 07.00." in result.output


def _sent() -> dict[str, set[str]]:
    """Return {send reference: addresses} of every brief, digest and alert in the outbox."""
    found: dict[str, set[str]] = {}
    for reference, email in db.session.execute(select(Send.reference, OutboxMessage.email).join(OutboxMessage)
                                               .where(Send.kind.in_(("local_brief", "district_digest",
                                                                     "municipality_alert")))):
        found.setdefault(reference, set()).add(email)
    return found


def _district_reference() -> str:
    from hti_comms.geo.models import District

    district = db.session.scalar(select(District).where(District.county_code == "01"))
    return f"district-digest:2025:{district.id}"


def test_nothing_before_the_moment_then_everything_with_the_right_figures(app, morning, mail_sink):
    clock.stop_at(PUBLISHED_AT - timedelta(seconds=1))
    run_all_once()
    assert _sent() == {}

    clock.set_now(PUBLISHED_AT + timedelta(seconds=1))
    run_all_once()
    run_all_once()  # idempotent: a second round adds nobody
    assert _sent() == {
        "brief:2025:0114": {COUNCIL_VASBY}, "brief:2025:0115": {COUNCIL_VALLENTUNA}, _district_reference(): {CHAIR},
        "alert:2025:0114": {FOLLOWER_VASBY, FOLLOWER_BOTH}, "alert:2025:0115": {FOLLOWER_BOTH}}
    assert deliver_due() == 6
    messages = {(to_of(m), m["Subject"]): m for m in mail_sink.wait_for(6)}

    vasby_alert = messages[(FOLLOWER_VASBY, "Upplands Väsby i Hemtjänstindex 2025")]
    text = text_of(vasby_alert)
    # Index and place in the talking points' sentence, the change in their trend sentence, the link to the page.
    assert "Upplands Väsby fick 72,5 i Hemtjänstindex 2025" in text and "plats 2 av 4" in text
    assert "Sedan 2024 har indexet ökat med 12,5 enheter, från 60,0 till 72,5." in text
    assert "https://hti.example.se/resultat/2025/0114" in text
    assert "Vallentuna" not in text and "68,3" not in text
    # A one-click way out (RFC 8058) to the alerts' own page, and nothing that leads to other mail.
    unsubscribe = vasby_alert["List-Unsubscribe"]
    assert re.fullmatch(r"<https://hti\.example\.se/min-kommun/avsluta/\S+>", unsubscribe)
    assert vasby_alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/installningar/" not in text and "/installningar/" not in html_of(vasby_alert)
    both = {subject for to, subject in messages if to == FOLLOWER_BOTH}
    assert both == {"Upplands Väsby i Hemtjänstindex 2025", "Vallentuna i Hemtjänstindex 2025"}
    brief = text_of(messages[(COUNCIL_VASBY, "Upplands Väsby i Hemtjänstindex 2025")])
    assert "72,5" in brief and "Vallentuna" not in brief
    [digest] = [text_of(m) for (to, subject), m in messages.items()
                if to == CHAIR and subject.endswith(": kommunerna i Hemtjänstindex 2025")]
    assert "Upplands Väsby" in digest and "Vallentuna" in digest

    steps = {step.title: step for step in timeline(2025)}
    briefs = steps["Lokala resultatbrev och distriktsbrev vid publiceringen"]
    assert briefs.counts["resultatbrev skickade"] == 2 and briefs.counts["distriktsbrev skickade"] == 1
    alerts = steps["Min kommun: resultatet med e-post till dem som bett om det"]
    assert alerts.counts["skickade"] == 3 and alerts.state == "Klart"


def test_a_postponement_moves_every_brief_digest_and_alert(app, morning):
    clock.set_now(PUBLISHED_AT - timedelta(hours=1))
    set_publication(2025, parse_wall_clock("2025-12-05 07:00"), actor="test")
    db.session.commit()
    clock.set_now(PUBLISHED_AT + timedelta(seconds=1))
    run_all_once()
    assert _sent() == {}
    clock.set_now(PUBLISHED_AT + timedelta(days=1, seconds=1))
    run_all_once()
    assert set(_sent()) == {"brief:2025:0114", "brief:2025:0115", _district_reference(), "alert:2025:0114",
                            "alert:2025:0115"}


def test_a_municipality_whose_figures_fail_the_check_gets_nothing_and_staff_see_why(app, morning, monkeypatch,
                                                                                   staff_login):
    from hti_comms.briefs import talking_points
    from tests.publication.test_embargo import _about_wrong

    real_place = talking_points.place
    monkeypatch.setattr(talking_points, "place", lambda rank, count, shared: real_place(
        rank + 1 if _about_wrong({"0114"}) else rank, count, shared))
    clock.set_now(PUBLISHED_AT + timedelta(seconds=1))
    run_all_once()
    run_all_once()
    sent = _sent()
    assert "brief:2025:0114" not in sent and "alert:2025:0114" not in sent
    assert sent["brief:2025:0115"] == {COUNCIL_VALLENTUNA} and sent["alert:2025:0115"] == {FOLLOWER_BOTH}
    assert _district_reference() not in sent  # the digest states Upplands Väsby's figures too: held as well
    steps = {step.title: step for step in timeline(2025)}
    briefs = steps["Lokala resultatbrev och distriktsbrev vid publiceringen"]
    alerts = steps["Min kommun: resultatet med e-post till dem som bett om det"]
    assert briefs.state == alerts.state == "Misslyckades"
    assert any(p.startswith("Resultatbrevet för Upplands Väsby skickades inte:") and "plats" in p
               for p in briefs.problems)
    assert any(p.startswith("Distriktsbrevet för ") for p in briefs.problems)
    assert alerts.counts["kommuner stoppade: siffrorna stämmer inte"] == 1
    page = staff_login.get("/admin/publicering/2025/tidslinje").get_data(as_text=True)
    assert "Resultatbrevet för Upplands Väsby skickades inte:" in page
    assert "Upplands Väsby: ingen fick resultatet med e-post." in page


def test_whoever_left_a_minute_before_gets_nothing(app, morning, client):
    from hti_comms.alerts.services import find_subscriber
    from hti_comms.links import unsubscribe_url

    subscriber = find_subscriber(FOLLOWER_BOTH)
    url = unsubscribe_url(subscriber.link_key, "min-kommun").removeprefix("https://hti.example.se")
    clock.set_now(PUBLISHED_AT - timedelta(minutes=1))
    assert "Avsluta" in client.get(url).get_data(as_text=True)  # a GET only shows the button
    assert find_subscriber(FOLLOWER_BOTH) is not None
    one_click = app.test_client().post(url, data={"List-Unsubscribe": "One-Click"})  # no cookie, no CSRF token
    assert one_click.status_code == 200 and find_subscriber(FOLLOWER_BOTH) is None
    clock.set_now(PUBLISHED_AT + timedelta(seconds=1))
    run_all_once()
    sent = _sent()
    assert sent["alert:2025:0114"] == {FOLLOWER_VASBY} and "alert:2025:0115" not in sent


def test_the_worker_holds_an_alert_until_the_moment_whatever_put_it_in_the_outbox(app, morning, mail_sink):
    """Belt and braces: an alert send carries its year, so the release guard keeps it waiting before the moment."""
    from hti_comms.alerts.publication import send_alerts

    clock.set_now(PUBLISHED_AT + timedelta(seconds=1))
    assert send_alerts(2025) == 3
    db.session.commit()
    clock.stop_at(PUBLISHED_AT - timedelta(seconds=1))  # as if the clock were wrong when it was enqueued
    assert deliver_due() == 0
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {OutboxStatus.QUEUED}
    clock.set_now(PUBLISHED_AT + timedelta(seconds=2))
    assert deliver_due() == 3


def test_alerts_catch_up_after_an_outage_but_an_old_publication_is_no_news(app, morning):
    from hti_comms.alerts.publication import CATCH_UP

    clock.set_now(PUBLISHED_AT + CATCH_UP - timedelta(minutes=1))  # the scheduler was down since before 07.00
    run_all_once()
    assert set(_sent()) >= {"alert:2025:0114", "alert:2025:0115", "brief:2025:0114"}


def test_a_publication_older_than_the_catch_up_sends_no_alerts(app, morning):
    from hti_comms.alerts.models import AlertRound
    from hti_comms.alerts.publication import CATCH_UP

    clock.set_now(PUBLISHED_AT + CATCH_UP + timedelta(minutes=1))
    run_all_once()
    assert not any(reference.startswith("alert:") for reference in _sent())
    assert db.session.get(AlertRound, 2025).done_at is not None
