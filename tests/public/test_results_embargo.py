"""The public results under embargo: every URL that could show a year's figures, at four moments around its
publication, judged against the application clock on every request (no job, no flag, no cache decides)."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.results.models import IndexResult, ResultSet
from hti_comms.scheduling.models import SchedulerState
from tests.helpers import reference_codes
from tests.public.conftest import PUBLICATION, YEAR, import_year

FIRST_CODE, FIRST_NAME = reference_codes()[0]

#: Every URL that shows figures of YEAR, and only of YEAR.
YEAR_URLS = (
    f"/resultat/{YEAR}",
    f"/resultat/{YEAR}?sortera=utforande&ordning=fallande",
    f"/resultat/{YEAR}?lan=01&sok=a",
    f"/resultat/{YEAR}/{FIRST_CODE}",
    f"/resultat/{YEAR}.csv",
    f"/api/resultat/{YEAR}.json",
)
#: Pages about every public year (the archive, the feed, the sitemap, the start page): they must look as if
#: YEAR did not exist until its publication.
SHARED_URLS = ("/", "/resultat", "/resultat/atom.xml", "/sitemap.xml", f"/resultat/{YEAR - 1}",
               f"/resultat/{YEAR - 1}/{FIRST_CODE}", f"/api/resultat/{YEAR - 1}.json")
BEFORE = (("24 h 1 s before", timedelta(hours=-24, seconds=-1)), ("24 h before", timedelta(hours=-24)),
          ("1 s before", timedelta(seconds=-1)))


def _absent_year_urls(year: int) -> list[str]:
    return [url.replace(str(YEAR), str(year)) for url in YEAR_URLS]


def _snapshot(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(), sorted(response.headers.items())


@pytest.mark.parametrize("label,offset", BEFORE, ids=[label for label, _ in BEFORE])
def test_before_publication_every_url_of_the_year_answers_as_a_year_that_does_not_exist(client, years, label, offset):
    clock.set_now(PUBLICATION + offset)
    for url, absent_url in zip(YEAR_URLS, _absent_year_urls(1999)):
        status, body, headers = _snapshot(client, url)
        assert status == 404, (label, url)
        assert dict(headers)["Cache-Control"] == "no-store", (label, url)
        # Byte for byte, headers and all, the answer for a year that has no results at all.
        assert (status, body, headers) == _snapshot(client, absent_url), (label, url)
        assert b"90,0" not in body and FIRST_NAME.encode() not in body


def _without_year(client, urls):
    """Return what the shared pages show when YEAR has no results at all (deleted, then put back)."""
    saved = db.session.get(ResultSet, YEAR)
    published_at = saved.published_at
    saved.published_at = None  # the moment is the year's own row: a year that does not exist has none either
    db.session.execute(delete(IndexResult).where(IndexResult.year == YEAR))
    db.session.delete(saved)
    db.session.commit()
    try:
        return {url: _snapshot(client, url) for url in urls}
    finally:
        import_year(YEAR)
        db.session.get(ResultSet, YEAR).published_at = published_at
        db.session.commit()


#: The one thing the start page and /resultat say about a year before it is public: when it is published.
ANNOUNCEMENT = re.compile(rb'\n  <p class="next-results">(.*?)</p>', re.S)


def _announced(body: bytes) -> tuple[bytes, bytes | None]:
    """Return the page without its announcement of the next publication, and the announcement's text."""
    found = ANNOUNCEMENT.search(body)
    return (ANNOUNCEMENT.sub(b"", body), found.group(1) if found else None)


@pytest.mark.parametrize("label,offset", BEFORE, ids=[label for label, _ in BEFORE])
def test_before_publication_shared_pages_are_as_if_the_year_did_not_exist(client, years, label, offset):
    """… except that the start page and /resultat say when the year is published: the date is public, nothing
    of its results is."""
    # Stopped there: on a busy machine the pages below take seconds, and a running clock would pass the moment.
    clock.stop_at(PUBLICATION + offset)
    expected = _without_year(client, SHARED_URLS)
    clock.stop_at(PUBLICATION + offset)
    for url in SHARED_URLS:
        status, body, headers = _snapshot(client, url)
        assert status == 200, url
        body, announcement = _announced(body)
        if url in ("/", "/resultat"):
            assert announcement == ("<strong>Hemtjänstindex 2026 publiceras torsdag 3 december 2026 kl. 07.00."
                                    "</strong>").encode(), url
        else:
            assert announcement is None, url
        assert body == expected[url][1], (label, url)
        assert f"/resultat/{YEAR}".encode() not in body and f"Hemtjänstindex {YEAR}".encode() not in body, url
        cache_control = dict(headers).get("Cache-Control")
        if url != "/":
            # Public, but never kept past the publication moment, when these pages change.
            max_age = int(cache_control.removeprefix("public, max-age="))
            assert max_age <= (PUBLICATION - clock.now()).total_seconds() + 1, (label, url, cache_control)


def test_at_publication_every_url_answers_with_the_figures(client, years):
    clock.set_now(PUBLICATION)
    for url in YEAR_URLS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=300", url
    assert "90,0" in client.get(f"/resultat/{YEAR}/{FIRST_CODE}").get_data(as_text=True)
    document = client.get(f"/api/resultat/{YEAR}.json").get_json()
    assert document["year"] == YEAR and document["ranked_count"] == 290
    for url in ("/", "/resultat", "/resultat/atom.xml", "/sitemap.xml", f"/resultat/{YEAR - 1}"):
        assert f"/resultat/{YEAR}".encode() in client.get(url).get_data(), url


def test_nothing_but_the_clock_publishes_no_scheduler_runs(client, years):
    """A stopped scheduler (no heartbeat, no sweep ever run) does not keep the pages from appearing."""
    assert db.session.scalar(select(func.count()).select_from(SchedulerState)) == 0
    clock.stop_at(PUBLICATION - timedelta(seconds=1))
    assert client.get(f"/resultat/{YEAR}").status_code == 404
    clock.set_now(PUBLICATION)
    assert client.get(f"/resultat/{YEAR}").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(SchedulerState)) == 0


def test_publication_after_the_october_change_is_at_seven_local_time(client, years):
    # 3 December is winter time (UTC+1): 07.00 in Stockholm is 06.00 UTC, not 05.00 or 07.00 UTC.
    assert PUBLICATION.isoformat() == "2026-12-03T06:00:00+00:00"
    for local_hour, utc_hour, expected in ((6, 5, 404), (6, 5, 404), (7, 6, 200), (8, 7, 200)):
        clock.set_now(PUBLICATION.replace(hour=utc_hour))
        assert clock.to_stockholm(clock.now()).hour == local_hour
        assert client.get(f"/resultat/{YEAR}").status_code == expected, local_hour
    clock.stop_at(PUBLICATION - timedelta(seconds=1))  # 06.59.59 local
    assert client.get(f"/resultat/{YEAR}").status_code == 404


def test_a_kept_page_is_never_shown_after_a_postponement(client, years):
    # Everything of the previous year is kept in memory; the postponed year still answers 404 until its new time.
    clock.set_now(PUBLICATION - timedelta(hours=1))
    assert client.get(f"/resultat/{YEAR - 1}").status_code == 200
    years.set_publication(YEAR, PUBLICATION + timedelta(days=1))
    clock.set_now(PUBLICATION)
    for url in YEAR_URLS:
        assert client.get(url).status_code == 404, url
    assert f"/resultat/{YEAR}".encode() not in client.get("/resultat").get_data()
    clock.set_now(PUBLICATION + timedelta(days=1))
    assert client.get(f"/resultat/{YEAR}").status_code == 200


def test_unset_publication_is_unpublished(client, years):
    years.set_publication(YEAR, None)
    clock.set_now(PUBLICATION + timedelta(days=365))
    for url in YEAR_URLS:
        assert client.get(url).status_code == 404, url


def test_a_reimport_in_another_process_changes_the_pages_at_once(client, years):
    clock.set_now(PUBLICATION)
    url = f"/resultat/{YEAR}/{FIRST_CODE}"
    assert "90,0" in client.get(url).get_data(as_text=True)
    # Another process (a web worker that took the upload) writes new figures and a new data version;
    # this process's kept ranking and page are not told, only the version in the database changes.
    db.session.execute(update(IndexResult).where(IndexResult.year == YEAR, IndexResult.municipality_code == FIRST_CODE)
                       .values(index_value=Decimal("42.4")))
    db.session.execute(update(ResultSet).where(ResultSet.year == YEAR).values(data_version="another-process"))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "42,4" in page and "90,0" not in page.split("<h2>De fyra delindexen</h2>")[1].split("<tbody>")[1][:200]
    assert "42,4" in client.get(f"/resultat/{YEAR}.csv").get_data(as_text=True)


def test_an_import_in_this_process_changes_the_pages(client, years):
    clock.set_now(PUBLICATION)
    assert "90,0" in client.get(f"/resultat/{YEAR}").get_data(as_text=True)
    import_year(YEAR, Decimal("-3.0"))
    page = client.get(f"/resultat/{YEAR}").get_data(as_text=True)
    assert "87,0" in page and ">90,0<" not in page


def test_the_page_of_the_previous_year_does_not_show_the_coming_year(client, years):
    clock.stop_at(PUBLICATION - timedelta(seconds=1))
    page = client.get(f"/resultat/{YEAR - 1}/{FIRST_CODE}").get_data(as_text=True)
    assert str(YEAR) not in page.replace(f"{YEAR - 1}", "")
    clock.set_now(PUBLICATION)
    page = client.get(f"/resultat/{YEAR - 1}/{FIRST_CODE}").get_data(as_text=True)
    assert f"/resultat/{YEAR}/{FIRST_CODE}" in page


def test_change_figures_need_the_previous_year_public(client, years):
    years.set_publication(YEAR - 1, PUBLICATION + timedelta(days=30))
    clock.set_now(PUBLICATION)
    ranking = client.get(f"/resultat/{YEAR}?sortera=forandring").get_data(as_text=True)
    assert "Förändring" not in ranking and 'aria-sort="ascending"' in ranking  # sorted by place instead
    assert f"Index {YEAR - 1}" not in client.get(f"/resultat/{YEAR}.csv").get_data(as_text=True)
    document = client.get(f"/api/resultat/{YEAR}.json").get_json()
    assert all(m["previous_index"] is None for m in document["municipalities"])
    page = client.get(f"/resultat/{YEAR}/{FIRST_CODE}").get_data(as_text=True)
    assert "88,5" not in page and str(YEAR - 1) not in page


def test_an_unknown_municipality_or_odd_code_is_not_found(client, years):
    clock.set_now(PUBLICATION)
    for code in ("9999", "114", "01140", "x"):
        response = client.get(f"/resultat/{YEAR}/{code}")
        assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store", code
