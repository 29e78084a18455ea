"""07.00 behind a cache: Debian's Varnish with the repo's VCL in front of gunicorn, at the moment that matters.

At T − 1 s every public results address of the year is 404 through the proxy and nothing is kept; at T + 1 s the
ranking and the municipality page appear (and the proxy serves them again); a publication postponed at T − 1 min
shows nothing at the old moment. Real time: gunicorn judges the moment by the database's clock, so the test
waits for moments of the clock (never for a state).
"""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from hti_comms.extensions import db as _db
from hti_comms.public.proxy_ban import ban
from hti_comms.results.models import ResultSet
from tests.helpers import form_csrf_token, reference_codes
from tests.production import free_port
from tests.public.conftest import import_year

from .varnish import get, tell_proxies, varnish_in_front_of_gunicorn

pytestmark = pytest.mark.slow

YEAR, POSTPONED_YEAR = 2026, 2027
CODE = reference_codes()[0][0]


def addresses(year: int) -> list[str]:
    return [f"/resultat/{year}", f"/resultat/{year}/{CODE}", f"/resultat/{year}.csv", f"/api/resultat/{year}.json",
            f"/resultat/{year}?sortera=utforande&ordning=fallande"]


def set_publication(year: int, moment: datetime | None) -> None:
    _db.session.get(ResultSet, year).published_at = moment
    _db.session.commit()


def wait_for_moment(moment: datetime) -> None:
    """Wait until the clock reaches `moment` (this test is about a moment of the clock, not about a state)."""
    remaining = (moment - datetime.now(timezone.utc)).total_seconds()
    if remaining > 0:
        time.sleep(remaining)


def nothing_shown_nor_kept(proxy: str, year: int, before: datetime | None = None) -> None:
    """Every address of the year is 404, not to be stored, and not kept by the proxy. With `before` (the publication
    moment), only answers that arrived before it are judged: one that a loaded machine delivers after the moment may
    rightly show the results, and proves nothing either way; the first address must be judged."""
    judged = 0
    for path in addresses(year):
        first, again = get(proxy + path), get(proxy + path)
        if before is not None and datetime.now(timezone.utc) >= before:
            break
        judged += 1
        assert (first.status, again.status) == (404, 404), path
        assert "no-store" in first.headers.get("Cache-Control", ""), path
        assert not first.from_cache and not again.from_cache, f"{path} was kept by the proxy"
    assert judged, "the machine was too slow to ask before the moment"


def test_the_results_appear_through_the_proxy_at_the_moment_and_not_before(app, db, tmp_path):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # It waits a minute of real time (a postponement made at T − 1 min): once, on production's database. The
        # moment and the cache headers come from the same code on both (tests/public/test_replay.py runs on both).
        pytest.skip("the SQLite half: the proxy test runs on PostgreSQL, as in production")
    import_year(YEAR)
    import_year(POSTPONED_YEAR)
    set_publication(YEAR, None)
    set_publication(POSTPONED_YEAR, None)
    db.session.remove()
    with varnish_in_front_of_gunicorn(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]) as (proxy, _gunicorn):
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
        old_moment = start + timedelta(seconds=64)
        set_publication(POSTPONED_YEAR, old_moment)
        nothing_shown_nor_kept(proxy, POSTPONED_YEAR)

        wait_for_moment(old_moment - timedelta(minutes=1))
        set_publication(POSTPONED_YEAR, old_moment + timedelta(days=1))  # postponed at T − 1 min

        # The year's moment is set once the postponement is made, a few seconds ahead. A machine so loaded that it
        # wakes up less than half a second before the moment gets a later moment (no address of the year has been
        # asked for yet, so nothing is judged or kept twice); what follows judges only answers from before it.
        for lead in (3, 6, 12, 24):
            moment = datetime.now(timezone.utc) + timedelta(seconds=lead)
            set_publication(YEAR, moment)
            wait_for_moment(moment - timedelta(seconds=1))
            if datetime.now(timezone.utc) < moment - timedelta(milliseconds=500):
                break
        else:
            pytest.fail("the machine was too slow to ask before any of four moments")
        nothing_shown_nor_kept(proxy, YEAR, before=moment)

        wait_for_moment(moment + timedelta(seconds=1))
        ranking, municipality = (get(proxy + path) for path in addresses(YEAR)[:2])
        assert ranking.status == 200 and f"{YEAR}" in ranking.body
        assert municipality.status == 200
        assert "public, max-age=" in ranking.headers["Cache-Control"]
        again = get(proxy + addresses(YEAR)[0])
        assert again.from_cache and again.body == ranking.body  # the proxy answers the next visitors

        nothing_shown_nor_kept(proxy, POSTPONED_YEAR)
        wait_for_moment(old_moment + timedelta(seconds=1))
        nothing_shown_nor_kept(proxy, POSTPONED_YEAR)
        assert get(proxy + addresses(YEAR)[1]).status == 200


def add_link_as_staff(client, title: str, url: str) -> None:
    admin = f"/admin/uppfoljning/{YEAR}"
    response = client.post(admin, data={"csrf_token": form_csrf_token(client, admin), "municipality": CODE,
                                        "title": title, "url": url}, follow_redirects=True)
    assert "visas nu på sidan" in response.get_data(as_text=True)


def test_a_staff_change_shows_through_the_proxy_once_the_proxies_are_told(app, db, staff_login, tmp_path):
    """A follow-up link added by staff shows through Varnish, which otherwise keeps the municipality page for its
    max-age, once the scheduler's sweep has sent BAN to the proxies in VARNISH_URLS (never the staff's save)."""
    import_year(YEAR)
    set_publication(YEAR, datetime.now(timezone.utc) - timedelta(minutes=1))
    db.session.remove()
    with varnish_in_front_of_gunicorn(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]) as (proxy, gunicorn):
        app.config["VARNISH_URLS"] = [proxy]
        assert tell_proxies()  # a scheduler that starts tells every proxy once
        page = proxy + addresses(YEAR)[1]
        first, again = get(page), get(page)
        assert first.status == 200 and again.from_cache and again.body == first.body
        assert "public, max-age=" in first.headers["Cache-Control"]

        # Not told yet: the proxy keeps answering with the page it has (the app has the change at once).
        add_link_as_staff(staff_login, "Kommunens första plan", "https://kommun.example.se/forsta")
        kept = get(page)
        assert kept.from_cache and "kommun.example.se/forsta" not in kept.body
        assert "kommun.example.se/forsta" in get(gunicorn + addresses(YEAR)[1]).body

        # Told: the next request through the proxy shows every change, and the proxy keeps the new page again.
        add_link_as_staff(staff_login, "Kommunens andra plan", "https://kommun.example.se/andra")
        assert tell_proxies()
        after = get(page)
        assert after.status == 200 and not after.from_cache
        assert "kommun.example.se/forsta" in after.body and "kommun.example.se/andra" in after.body
        assert get(page).from_cache

        # A ban on its own (as after a publication moment changed): the next request is made again.
        assert ban([proxy]) == []
        assert not get(page).from_cache and get(page).from_cache


def test_a_staff_change_stands_without_waiting_for_a_proxy_that_cannot_be_told(app, db, staff_login, caplog):
    import_year(YEAR)
    set_publication(YEAR, datetime.now(timezone.utc) - timedelta(minutes=1))
    app.config["VARNISH_URLS"] = [f"http://127.0.0.1:{free_port()}"]  # nothing listens there
    add_link_as_staff(staff_login, "Kommunens plan", "https://kommun.example.se/plan")
    assert "kommun.example.se/plan" in staff_login.get(addresses(YEAR)[1]).get_data(as_text=True)
    assert not any("was not told" in record.getMessage() for record in caplog.records)  # the save asked no proxy
    assert tell_proxies()
    assert any("was not told that public pages changed" in record.getMessage() for record in caplog.records)
