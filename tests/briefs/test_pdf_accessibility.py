"""The printable brief is readable by screen readers and by eye: tagged PDF/UA, chart inside the page."""
import io
from datetime import timedelta

from pypdf import PdfReader

from hti_comms import clock
from hti_comms.results.models import ResultSet
from tests.briefs.factories import store_year

A4_WIDTH_POINTS = 595.3
MARGIN_POINTS = 18 / 25.4 * 72  # 18 mm


def brief(client, year=2024) -> PdfReader:
    response = client.get(f"/admin/talpunkter/{year}/0114/brief.pdf")
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.data))


def words(page) -> str:
    return " ".join(page.extract_text().split())


def test_pdf_is_tagged_with_title_and_language(staff_login):
    store_year(2024, {"0114": [62.3, 55, 60, 70, 64], "0115": "55.4"})
    reader = brief(staff_login)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "sv"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Upplands Väsby i Hemtjänstindex 2024"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


def test_chart_fits_inside_the_margins_and_the_first_page_is_filled(staff_login):
    store_year(2024, {"0114": [62.3, 55, 60, 70, 64], "0115": "55.4"})
    reader = brief(staff_login)
    placed = []

    def before(operator, operands, cm, tm):
        if operator == b"Do":
            placed.append((cm[4], cm[0]))  # x and width of the image, in points

    for page in reader.pages:
        page.extract_text(visitor_operand_before=before)
    [(x, width)] = placed
    assert x >= MARGIN_POINTS - 0.5 and x + width <= A4_WIDTH_POINTS - MARGIN_POINTS + 0.5, (x, width)
    first = words(reader.pages[0])
    assert "Resultatet i korthet" in first and "Delindex jämfört med genomsnittet" in first


def test_unpublished_figures_say_so_on_every_page(staff_login, db):
    store_year(2024, {"0114": [62.3, 55, 60, 70, 64], "0115": "55.4"})
    reader = brief(staff_login)
    assert all("EJ PUBLICERAT" in words(page) for page in reader.pages)
    assert "EJ PUBLICERAT – Resultaten för 2024 har ingen publiceringstid ännu." in words(reader.pages[0])

    db.session.get(ResultSet, 2024).published_at = clock.now() - timedelta(days=1)
    db.session.commit()
    assert not any("EJ PUBLICERAT" in words(page) for page in brief(staff_login).pages)
