"""Figures that check themselves: a wrong figure of any kind is caught, a wrong brief is never enqueued."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.briefs import talking_points
from hti_comms.briefs.emails import send_district_digest, send_local_brief
from hti_comms.briefs.figure_reading import CHANGE, GAP, MOMENT, MOVE, PLACE, UNKNOWN, VALUE, YEAR, read_figures
from hti_comms.briefs.figures import FigureMismatch, check_figures, derive, verify_points, verify_text
from hti_comms.briefs.talking_points import build_talking_points
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.outbox import Recipient
from hti_comms.extensions import db
from hti_comms.geo.models import District, Municipality
from hti_comms.results.models import ResultSet
from tests.briefs.factories import store_year
from tests.helpers import form_csrf_token

PUBLISHED_AT = datetime(2024, 12, 3, 6, 0, tzinfo=timezone.utc)  # tisdag 3 december 2024 kl. 07.00
COUNCIL = [Recipient(email="anna@example.se", name="Anna Råd")]


@pytest.fixture
def years(db):
    """2023 and 2024 for four municipalities of Stockholms län and Håbo; 2024 published, the clock after it."""
    store_year(2023, {"0114": "60.0", "0115": "70.0", "0117": "65.0", "0305": "55.0"})
    store_year(2024, {"0114": ["72.5", "70.0", "75.0", "71.0", "74.0"], "0115": ["68.0", "66.0", "69.0", "", "70.0"],
                      "0117": "65.0", "0120": "50.0", "0305": "80.0"})
    db.session.get(ResultSet, 2024).published_at = PUBLISHED_AT
    db.session.commit()
    clock.set_now(PUBLISHED_AT + timedelta(hours=1))


def points_of(code: str, year: int = 2024):
    return build_talking_points(db.session.get(Municipality, code), year)


def test_reads_swedish_numbers_in_every_form():
    figures = read_figures("Upplands Väsby fick 1\u202f234,5 och 12\u00a0345,0, delad plats 12 av 290, "
                           "3,4 enheter under länets genomsnitt, i nivå med genomsnittet, +1,2 enheter och "
                           "\u22121,0 enheter, tappat en placering, klättrat 5 placeringar, samma placering; "
                           "sedan 2023, torsdag 4 december 2025 kl. 07.00, 17 gånger.")
    assert [(f.kind, f.value) for f in figures] == [
        (VALUE, Decimal("1234.5")), (VALUE, Decimal("12345.0")), (PLACE, (12, 290, True)),
        (GAP, Decimal("-3.4")), (GAP, Decimal(0)), (CHANGE, Decimal("1.2")), (CHANGE, Decimal("-1.0")),
        (MOVE, -1), (MOVE, 5), (MOVE, 0), (YEAR, 2023), (MOMENT, ("torsdag", 4, 12, 2025, 7, 0)), (UNKNOWN, 17)]


def test_derived_figures_follow_the_ranking_rule_with_ties(db):
    store_year(2024, {"0114": "70.0", "0115": "65.5", "0117": "65.5", "0120": "60.0"})
    figures = derive(2024)
    places = {code: (figures.municipality(code).place.rank, figures.municipality(code).place.is_shared)
              for code in ("0114", "0115", "0117", "0120")}
    assert places == {"0114": (1, False), "0115": (2, True), "0117": (2, True), "0120": (4, False)}
    assert figures.national_average == Decimal("65.25")
    assert figures.municipality("0305").index is None


# (point kind, the words as generated, a wrong version of them, catchable without the claims)
WRONG = [
    pytest.param("index", "plats 2 av 5", "plats 3 av 5", True, id="rank"),
    pytest.param("index", "plats 2 av 5", "delad plats 2 av 5", True, id="shared-rank"),
    pytest.param("index", "fick 72,5", "fick 72,6", True, id="decimal"),
    pytest.param("index", "5,4 enheter över", "5,4 enheter under", True, id="sign"),
    pytest.param("index", "genomsnittet 67,1", "genomsnittet 67,2", True, id="national-average"),
    pytest.param("index", "Hemtjänstindex 2024", "Hemtjänstindex 2022", True, id="year"),
    pytest.param("index", "Hemtjänstindex 2024", "Hemtjänstindex 2023", False, id="year-before"),
    pytest.param("trend", "ökat med 12,5 enheter", "ökat med 12,4 enheter", True, id="change"),
    pytest.param("trend", "ökat med 12,5 enheter", "minskat med 12,5 enheter", True, id="change-sign"),
    pytest.param("trend", "från 60,0 till", "från 61,0 till", True, id="previous-index"),
    pytest.param("trend", "klättrat en placering", "klättrat 2 placeringar", True, id="places-moved"),
    pytest.param("trend", "klättrat en placering", "tappat en placering", True, id="moved-down"),
    pytest.param("trend", "från plats 3 av 4", "från plats 4 av 4", True, id="previous-rank"),
    pytest.param("county", "Länets genomsnitt är 63,9", "Länets genomsnitt är 63,8", True, id="county-average"),
    pytest.param("county", "på plats 1 av 4", "på plats 2 av 4", True, id="county-rank"),
    pytest.param("county", "8,6 enheter över länets", "8,7 enheter över länets", True, id="county-gap"),
    pytest.param("sub_index", "Information: 70,0", "Information: 71,0", True, id="sub-index"),
    pytest.param("sub_index", "mot genomsnittet 66,2", "mot genomsnittet 66,3", True, id="sub-index-average"),
    pytest.param("sub_index", "3,8 enheter över genomsnittet", "3,80 enheter över genomsnittet", True,
                 id="two-decimals"),
    pytest.param("press", "i Hemtjänstindex 2024,", "i Hemtjänstindex 2024, bland 17 kommuner,", True,
                 id="unknown-number"),
]


@pytest.mark.parametrize("kind, right, wrong, without_claims", WRONG)
def test_a_wrong_figure_of_every_kind_is_caught(years, kind, right, wrong, without_claims):
    points = points_of("0114")
    assert verify_points(points) == []
    position = next(i for i, p in enumerate(points.points) if p.kind == kind and right in p.text)
    point = points.points[position]
    points.points[position] = dataclasses.replace(point, text=point.text.replace(right, wrong, 1))
    mismatches = verify_points(points)
    assert mismatches, wrong
    assert mismatches[0].sentence == points.points[position].text
    assert mismatches[0].message.startswith("Meningen ”")
    assert verify_text(point.text, 2024, "0114") == []
    assert bool(verify_text(points.points[position].text, 2024, "0114")) is without_claims


def test_the_message_says_what_the_sentence_says_and_what_the_results_give(years, monkeypatch):
    real_place = talking_points.place
    monkeypatch.setattr(talking_points, "place", lambda rank, count, shared: real_place(rank + 1, count, shared))
    with pytest.raises(FigureMismatch) as caught:
        check_figures(2024, "0114", points_of("0114").texts("index"))
    message = caught.value.mismatches[0].message
    assert "säger ”plats 3 av 5”, men resultaten ger ”plats 2 av 5”" in message
    assert message.startswith("Meningen ”Det ger plats 3 av 5 i rankningen.”")


def test_public_page_text_and_html_are_checked(years):
    right = "<h1>Upplands Väsby 2024</h1><p>Index 72,5, plats 2 av 5. Genomsnittet är 67,1.</p>"
    check_figures(2024, "0114", [right, "Upplands Väsby har klättrat en placering sedan 2023."])
    for wrong in ("<p>Index 72,5, plats 2 av 4.</p>", "<td>72,4</td>", "Publiceras tisdag 3 december 2024 kl. 08.00.",
                  "Upplands Väsby har tappat en placering sedan 2023.", "Resultaten för 2021."):
        with pytest.raises(FigureMismatch):
            check_figures(2024, "0114", [wrong])
    check_figures(2024, "0114", ["Publiceras tisdag 3 december 2024 kl. 07.00."])


def count_sends() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Send)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


def test_a_brief_with_a_wrong_figure_is_refused_and_nothing_is_enqueued(years, monkeypatch):
    real_format = talking_points.format_number
    # A generator that writes 72,5 as 72,4 (a rounding rule changed by mistake).
    monkeypatch.setattr(talking_points, "format_number",
                        lambda value, digits=1: "72,4" if value == Decimal("72.5") else real_format(value, digits))
    with pytest.raises(FigureMismatch) as caught:
        send_local_brief(db.session.get(Municipality, "0114"), 2024, COUNCIL)
    assert "säger ”72,4”, men resultaten ger ”72,5”" in str(caught.value)
    db.session.rollback()
    assert count_sends() == (0, 0)


def test_a_brief_whose_table_is_wrong_is_refused(years, monkeypatch):
    from hti_comms.briefs import services

    # A changed gap in the brief's table (not a talking point): only the check of the rendered email sees it.
    monkeypatch.setattr(services, "gap", lambda value, average, name="genomsnittet": "5,5 enheter över genomsnittet")
    with pytest.raises(FigureMismatch) as caught:
        send_local_brief(db.session.get(Municipality, "0114"), 2024, COUNCIL)
    assert "5,5 enheter över" in str(caught.value)
    db.session.rollback()
    assert count_sends() == (0, 0)


def test_a_district_digest_with_a_wrong_place_is_refused(years, monkeypatch):
    from hti_comms.briefs import services

    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    real_place = services.place
    monkeypatch.setattr(services, "place", lambda rank, count, shared: real_place(count - rank + 1, count, shared))
    with pytest.raises(FigureMismatch):
        send_district_digest(stockholm, 2024, COUNCIL)
    db.session.rollback()
    assert count_sends() == (0, 0)
    monkeypatch.setattr(services, "place", real_place)
    send_district_digest(stockholm, 2024, COUNCIL)
    assert count_sends() == (1, 1)


def test_staff_page_shows_the_mismatch_and_a_send_is_refused(years, staff_login, make_contact, monkeypatch):
    make_contact("anna@example.se", list_keys=("lokala-resultat",))
    db.session.commit()
    right = staff_login.get("/admin/talpunkter/2024/0114").get_data(as_text=True)
    assert "Siffrorna stämmer inte med resultaten" not in right
    real_place = talking_points.place
    monkeypatch.setattr(talking_points, "place", lambda rank, count, shared: real_place(rank + 1, count, shared))
    page = staff_login.get("/admin/talpunkter/2024/0114").get_data(as_text=True)
    assert 'id="figure-mismatches"' in page and "Siffrorna stämmer inte med resultaten" in page
    assert "säger ”plats 3 av 5”, men resultaten ger ”plats 2 av 5”" in page
    assert 'aria-describedby="figure-mismatches"' in page  # the send button is disabled and says why
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114")
    answer = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token, "confirmed": "1"},
                              follow_redirects=True).get_data(as_text=True)
    assert "skickades inte, eftersom siffrorna i brevet inte stämmer med resultaten" in answer
    assert count_sends() == (0, 0)
    pdf = staff_login.get("/admin/talpunkter/2024/0114/brief.pdf")
    assert pdf.status_code == 409 and pdf.mimetype == "text/html"
    assert "säger ”plats 3 av 5”" in pdf.get_data(as_text=True)


def test_cli_pdf_refuses_a_wrong_figure(years, runner, tmp_path, monkeypatch):
    real_place = talking_points.place
    monkeypatch.setattr(talking_points, "place", lambda rank, count, shared: real_place(rank + 1, count, shared))
    target = tmp_path / "brief.pdf"
    result = runner.invoke(args=["hti", "brief-pdf", "0114", "--year", "2024", "--output", str(target)])
    assert result.exit_code != 0 and "siffrorna inte stämmer med resultaten" in result.output
    assert not target.exists()


@pytest.mark.parametrize("code, sentence", [
    pytest.param("0120", "Indexet har ökat med 2,0 enheter sedan 2023.", id="no-previous-year-change"),
    pytest.param("0120", "Indexet gick från 48,0 till 50,0 sedan 2023.", id="no-previous-year-index"),
    pytest.param("0120", "Kommunen har klättrat en placering sedan 2023.", id="no-previous-year-move"),
    pytest.param("0115", "Utförande: 69,0 mot genomsnittet 71,3.", id="missing-sub-index"),
])
def test_a_figure_the_results_do_not_have_is_never_taken_as_right(years, code, sentence):
    """A municipality without last year's result, or without a sub-index: a number claimed for the missing figure
    is a mismatch, not a pass."""
    assert verify_text(sentence, 2024, code), sentence
    with pytest.raises(FigureMismatch):
        check_figures(2024, code, [sentence])
