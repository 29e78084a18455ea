"""The layer in front of Flask that answers public results again (`hti_comms.public.replay`): it answers only
under the publication state a response was made in, reads that state on every request, and leaves everything
personal to Flask."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from flask import request_started

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.public.replay import Replay
from tests.helpers import reference_codes
from tests.public.conftest import PREVIOUS, PUBLICATION, YEAR, import_year

FIRST_CODE, _FIRST_NAME = reference_codes()[0]


@pytest.fixture
def flask_requests(app):
    """Count the requests that reach Flask (the replay layer answers without Flask ever seeing them)."""
    seen: list[str] = []

    def count(_sender, **_extra):
        from flask import request

        seen.append(request.full_path)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


def _replay(app) -> Replay:
    return app.extensions["hti_replay"]


def _answer(client, url, **kwargs):
    response = client.get(url, **kwargs)
    return response.status_code, response.get_data(), dict(response.headers)


def test_the_same_address_under_the_same_state_is_answered_without_flask(app, client, years, flask_requests):
    clock.set_now(PUBLICATION + timedelta(hours=1))
    # Not /resultat: it says when the next year is published, a date staff may move before any results exist
    # (so not in the publication state), and is made by Flask every time (test_the_archive_... below).
    urls = (f"/resultat/{YEAR}", f"/resultat/{YEAR}?sortera=utforande&ordning=fallande",
            f"/resultat/{YEAR}.csv", f"/api/resultat/{YEAR}.json", "/resultat/atom.xml", "/sitemap.xml")
    first = {url: _answer(client, url) for url in urls}
    assert len(flask_requests) == len(urls) and all(status == 200 for status, _b, _h in first.values())
    for url in urls:
        assert _answer(client, url) == first[url], url  # byte for byte, headers and all
    assert len(flask_requests) == len(urls) and _replay(app).answered == len(urls)
    # Compressed and plain are kept apart.
    gzipped = client.get(f"/resultat/{YEAR}", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzipped.get_data() != first[f"/resultat/{YEAR}"][1]


def test_a_postponement_is_seen_by_the_next_request(app, client, years, flask_requests):
    clock.set_now(PUBLICATION + timedelta(minutes=5))
    assert client.get(f"/resultat/{YEAR}").status_code == 200
    assert client.get(f"/resultat/{YEAR}").status_code == 200
    answered = _replay(app).answered
    assert answered == 1
    # Staff (in another process) move the publication a day on: the kept answer is made under another state.
    years.set_publication(YEAR, PUBLICATION + timedelta(days=1))
    response = client.get(f"/resultat/{YEAR}")
    assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store"
    assert f"/resultat/{YEAR}".encode() not in client.get("/resultat").get_data()
    assert _replay(app).answered == answered


def test_the_clock_is_judged_on_every_request(app, client, years):
    clock.set_now(PUBLICATION)
    for _ in range(2):
        assert client.get(f"/resultat/{YEAR}").status_code == 200
    clock.stop_at(PUBLICATION - timedelta(seconds=1))  # a clock put back: the year is not public now
    assert client.get(f"/resultat/{YEAR}").status_code == 404
    assert f"/resultat/{YEAR}".encode() not in client.get("/resultat").get_data()


def test_a_reimport_is_answered_with_the_new_figures(app, client, years):
    clock.set_now(PUBLICATION)
    for _ in range(2):
        assert ">90,0<" in client.get(f"/resultat/{YEAR}").get_data(as_text=True)
    import_year(YEAR, Decimal("-3.0"))
    page = client.get(f"/resultat/{YEAR}").get_data(as_text=True)
    assert ">87,0<" in page and ">90,0<" not in page


def _max_age(response) -> int:
    return int(response.headers["Cache-Control"].removeprefix("public, max-age="))


def test_cache_control_never_runs_past_the_next_publication(app, client, years):
    # The clock runs on from where a test sets it: allow a few seconds for the test's own pace.
    clock.set_now(PUBLICATION - timedelta(seconds=200))
    url = f"/resultat/{PREVIOUS}"
    assert 195 <= _max_age(client.get(url)) <= 200
    clock.set_now(PUBLICATION - timedelta(seconds=50))
    replayed = _replay(app).answered
    assert 45 <= _max_age(client.get(url)) <= 50
    assert _replay(app).answered == replayed + 1


def test_personal_requests_go_to_flask(app, client, years, flask_requests):
    clock.set_now(PUBLICATION)
    url = f"/resultat/{YEAR}"
    client.get(url)
    before = len(flask_requests)
    with_session = app.test_client()
    with_session.set_cookie("session", "something")  # a visitor with a session: messages, staff
    assert with_session.get(url).status_code == 200
    client.head(url)
    client.get(f"/resultat/{YEAR}?sok=%00")  # refused by Flask's input rule each time (400)
    client.get(f"/resultat/{YEAR}?sok=%00")
    assert len(flask_requests) == before + 4
    assert _replay(app).answered == 0


def test_the_municipality_page_is_replayed_and_a_staff_change_shows_on_the_next_request(app, client, years,
                                                                                       flask_requests):
    from hti_comms.action_plans.register import MeasureInput, add_measure, update_measure
    from hti_comms.public.services import add_link, remove_link

    clock.set_now(PUBLICATION + timedelta(hours=1))
    url = f"/resultat/{YEAR}/{FIRST_CODE}"
    first = client.get(url).get_data(as_text=True)
    assert client.get(url).get_data(as_text=True) == first
    assert len(flask_requests) == 1 and _replay(app).answered == 1  # the second visitor: without Flask

    link, _findings = add_link(YEAR, FIRST_CODE, "Handlingsplan för hemtjänsten", "https://www.spfseniorerna.se/plan",
                               added_by="personal@spf.example")
    assert "Handlingsplan för hemtjänsten" in client.get(url).get_data(as_text=True)  # the very next request
    assert len(flask_requests) == 2
    assert "Handlingsplan för hemtjänsten" in client.get(url).get_data(as_text=True)
    assert _replay(app).answered == 2

    measure = add_measure(YEAR, FIRST_CODE, MeasureInput("information", "ge ut en broschyr om hemtjänsten"),
                          actor="personal@spf.example")
    db.session.commit()
    assert "ut en broschyr om hemtjänsten" in client.get(url).get_data(as_text=True)
    update_measure(measure, MeasureInput("information", "ge ut en ny broschyr om hemtjänsten"),
                   actor="personal@spf.example")
    db.session.commit()
    assert "ut en ny broschyr om hemtjänsten" in client.get(url).get_data(as_text=True)

    assert remove_link(link.id)  # a bulk DELETE through the session raises the version too
    assert "Handlingsplan för hemtjänsten" not in client.get(url).get_data(as_text=True)
    assert len(flask_requests) == 5


def test_the_kept_answers_are_bounded(app, client, years):
    clock.set_now(PUBLICATION)
    replay = _replay(app)
    replay.size = 3
    for term in ("a", "b", "c", "d", "e"):
        assert client.get(f"/resultat/{YEAR}?sok={term}").status_code == 200
    assert len(replay) == 3
    client.get(f"/resultat/{YEAR}?sok=a")  # pushed out: made again by Flask
    assert replay.answered == 0
    client.get(f"/resultat/{YEAR}?sok=e")
    assert replay.answered == 1


def test_a_forged_host_never_reaches_the_kept_answers(app, client, years):
    """The first request after a new publication state makes the kept answer for everyone: nothing in it may
    come from that request's own headers (here a Host header naming someone else's site)."""
    clock.set_now(PUBLICATION)
    urls = (f"/resultat/{YEAR}", f"/api/resultat/{YEAR}.json", "/resultat", "/resultat/atom.xml", "/sitemap.xml")
    for url in urls:
        assert client.get(url, headers={"Host": "angripare.example"}).status_code == 200, url
    for url in urls:
        assert b"angripare.example" not in client.get(url).get_data(), url
    document = client.get(f"/api/resultat/{YEAR}.json").get_json()
    assert document["municipalities"][0]["url"].startswith("https://hti.example.se/resultat/")


def test_the_archive_says_at_once_when_a_planned_publication_moves(app, client, years):
    """/resultat names the next publication's date, read on every request (a planned moment is no part of the
    publication state the kept answers go by)."""
    from hti_comms.publication.moments import parse_wall_clock, set_publication

    clock.set_now(PUBLICATION + timedelta(hours=1))
    set_publication(YEAR + 1, parse_wall_clock("2027-12-02 07:00"), actor="test")
    db.session.commit()
    assert "Hemtjänstindex 2027 publiceras torsdag 2 december 2027 kl. 07.00." in client.get("/resultat").get_data(
        as_text=True)
    set_publication(YEAR + 1, parse_wall_clock("2027-12-09 07:00"), actor="test")
    db.session.commit()
    page = client.get("/resultat").get_data(as_text=True)
    assert "Hemtjänstindex 2027 publiceras torsdag 9 december 2027 kl. 07.00." in page and "2 december 2027" not in page
