"""What the public results pages, the downloads and the staff page for follow-up links say, once public."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.public.models import FollowUpLink
from hti_comms.results.ranking import compute_ranking
from tests.helpers import form_csrf_token, reference_codes
from tests.public.conftest import PUBLICATION, YEAR

FIRST_CODE, FIRST_NAME = reference_codes()[0]


@pytest.fixture
def published(years):
    clock.set_now(PUBLICATION + timedelta(hours=1))
    return years


def test_csv_opens_in_swedish_excel_with_every_figure(client, published):
    response = client.get(f"/resultat/{YEAR}.csv")
    assert response.mimetype == "text/csv"
    assert f'filename="hemtjanstindex-{YEAR}.csv"' in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Plats", "Kommunkod", "Kommun", "Län", "Index"]
    assert len(rows) == 1 + 290 + 1
    ranking = compute_ranking(YEAR)
    by_code = {row[1]: row for row in rows[1:-1]}
    for entry in ranking.entries:
        row = by_code[entry.municipality_code]
        assert row[0] == str(entry.rank)
        assert Decimal(row[4].replace(",", ".")) == entry.index
        assert "," in row[4] and "." not in row[4]
    first = by_code[FIRST_CODE]
    assert first[2] == FIRST_NAME and first[4] == "90,0" and first[5] == "91,0"
    assert first[-3:] == ["88,5", "+1,5", "0"]  # last year 88,5, the same place
    assert rows[-1][2] == "Riksgenomsnitt"


def test_json_has_every_municipality_with_figures_and_links(client, published):
    document = client.get(f"/api/resultat/{YEAR}.json").get_json()
    ranking = compute_ranking(YEAR)
    assert document["ranked_count"] == 290
    assert document["national_averages"]["index_value"] == pytest.approx(float(ranking.national_average))
    first = next(m for m in document["municipalities"] if m["municipality_code"] == FIRST_CODE)
    assert first["index"] == 90.0 and first["rank"] == 1 and first["sub_indices"]["information"]["value"] == 91.0
    assert first["previous_index"] == 88.5 and first["rank_change"] == 0
    assert first["url"].endswith(f"/resultat/{YEAR}/{FIRST_CODE}")


def test_ranking_sorts_filters_and_searches(client, published):
    page = client.get(f"/resultat/{YEAR}?sortera=kommun&ordning=stigande").get_data(as_text=True)
    names = [line.split(">")[-1] for line in page.split("</a></th>")[:-1] if f"/resultat/{YEAR}/" in line]
    assert names == sorted(names, key=str.casefold) and len(names) == 290
    stockholm_county = client.get(f"/resultat/{YEAR}?lan=01").get_data(as_text=True)
    assert "26 av 290 kommuner visas" in stockholm_county
    search = client.get(f"/resultat/{YEAR}?sok=väsby").get_data(as_text=True)
    assert "1 av 290 kommuner visas" in search and "Upplands Väsby" in search


def test_municipality_page_has_figures_trend_chart_points_and_links(client, published):
    db.session.add(FollowUpLink(year=YEAR, municipality_code=FIRST_CODE, title="Handlingsplan för hemtjänsten",
                                url="https://www.example.se/handlingsplan", added_at=clock.now()))
    db.session.commit()
    page = client.get(f"/resultat/{YEAR}/{FIRST_CODE}").get_data(as_text=True)
    assert f"<h1>{FIRST_NAME} i Hemtjänstindex {YEAR}" in page
    assert "Plats<strong>1 av 290</strong>" in page
    assert 'role="img"' in page and "<title id=\"trenddiagram-titel\">" in page
    assert f"{YEAR - 1}: {FIRST_NAME} 88,5" in page and f"{YEAR}: {FIRST_NAME} 90,0" in page  # text alternative
    assert "plats 1 av 290" in page  # a talking point
    assert '<a href="https://www.example.se/handlingsplan">Handlingsplan för hemtjänsten</a>' in page


def test_staff_add_and_remove_a_link_and_the_public_page_follows(staff_login, published):
    client = staff_login
    public = f"/resultat/{YEAR}/{FIRST_CODE}"
    assert "Kommunen har inte berättat om sina åtgärder" in client.get(public).get_data(as_text=True)
    assert "<h3>Källor</h3>" not in client.get(public).get_data(as_text=True)
    url = f"/admin/uppfoljning/{YEAR}"
    response = client.post(url, data={"csrf_token": form_csrf_token(client, url), "municipality": FIRST_CODE,
                                      "title": "Kommunens handlingsplan", "url": "https://kommun.example.se/plan"},
                           follow_redirects=True)
    assert "visas nu på sidan" in response.get_data(as_text=True)
    assert "https://kommun.example.se/plan" in client.get(public).get_data(as_text=True)
    link = db.session.query(FollowUpLink).one()
    response = client.post(f"{url}/{link.id}/ta-bort", data={"csrf_token": form_csrf_token(client, url)},
                           follow_redirects=True)
    assert "Länken är borttagen" in response.get_data(as_text=True)
    assert "kommun.example.se" not in client.get(public).get_data(as_text=True)


@pytest.mark.parametrize("title,link,message", [
    ("", "https://kommun.example.se/plan", "Skriv en länktext."),
    ("Plan", "kommun.example.se/plan", "inte en fullständig webbadress"),
    ("Plan", "javascript:alert(1)", "inte en fullständig webbadress"),
    ("Plan", "mailto:a@kommun.example.se", "inte en e-postadress"),
    # The lookalike-link check, the same as for newsletters (issue 17).
    ("Plan", "https://spfseniorerna.se@evil.example/plan", "leder därför till evil.example"),
    ("www.kommun.example.se/plan", "https://evil.example/plan", "Länktexten visar adressen"),
    ("Plan", "https://spfseniorerna.nu/plan", "kontrollera om det ska vara spfseniorerna.se"),
    ("Plan", "https://spfseniorern\u0430.se/plan", "ser ut som ”spfseniorerna.se”"),
])
def test_a_bad_link_is_refused_in_swedish_and_nothing_is_saved(staff_login, published, title, link, message):
    client = staff_login
    url = f"/admin/uppfoljning/{YEAR}"
    response = client.post(url, data={"csrf_token": form_csrf_token(client, url), "municipality": FIRST_CODE,
                                      "title": title, "url": link})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.query(FollowUpLink).count() == 0


def test_the_staff_page_needs_a_login(client, published):
    response = client.get(f"/admin/uppfoljning/{YEAR}")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_a_wrong_figure_in_a_sentence_keeps_the_sentences_off_the_public_page(client, published, monkeypatch,
                                                                              caplog):
    """The sentences are generated; before the page shows them every figure is re-derived from the stored
    results. A generator that writes a wrong place must not put it on the public page."""
    from hti_comms.briefs import talking_points
    from hti_comms.public.pagecache import page_cache

    page_cache().clear()  # a fresh app per test has an empty one; say so
    real_place = talking_points.place
    monkeypatch.setattr(talking_points, "place", lambda rank, count, shared: real_place(rank + 1, count, shared))
    page = client.get(f"/resultat/{YEAR}/{FIRST_CODE}").get_data(as_text=True)
    assert "Plats<strong>1 av 290</strong>" in page  # the stored figures still show
    assert "plats 2 av 290" not in page and "plats 1 av 290" not in page  # no generated sentence with a place
    assert "shown without its sentences" in caplog.text
