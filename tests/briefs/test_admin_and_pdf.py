import io

from pypdf import PdfReader
from sqlalchemy import select

from hti_comms.extensions import db
from hti_comms.geo.models import District

from tests.briefs.factories import store_year


def two_years():
    store_year(2023, {"0114": "60.0", "0115": "70.0", "0117": "65.0"})
    store_year(2024, {"0114": ["72.5", "70.0", "75.0", "71.0", "74.0"], "0115": ["68.0", "66.0", "69.0", "", "70.0"],
                      "0117": "65.0"})


def test_staff_only(client):
    two_years()
    response = client.get("/admin/talpunkter/2024/0114")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_municipality_page_shows_points_copy_buttons_and_brief(staff_login):
    two_years()
    html = staff_login.get("/admin/talpunkter/2024/0114").get_data(as_text=True)
    assert "Talpunkter: Upplands Väsby 2024" in html
    assert "Upplands Väsby fick 72,5 i Hemtjänstindex 2024, jämfört med genomsnittet 68,5" in html
    # Copy buttons are hidden until the script shows them; the textarea works without JavaScript.
    assert 'data-copy="point-1" hidden>Kopiera</button>' in html
    assert '<textarea id="all-points" rows="14" readonly>Upplands Väsby fick 72,5' in html
    assert "js/copy.js" in html
    # The email preview: HTML with the chart inline, and the text part with the same figures.
    assert "<strong>Ämne:</strong> Upplands Väsby i Hemtjänstindex 2024" in html
    assert 'src="/admin/talpunkter/2024/0114/brevet.html"' in html
    email = staff_login.get("/admin/talpunkter/2024/0114/brevet.html").get_data(as_text=True)
    assert "data:image/png;base64," in email and "cid:" not in email
    assert "Samma siffror finns i tabellen ovanför." in email
    assert "- Utförande: 71,0 / 68,0 / 3,0 enheter över genomsnittet" in html
    assert "Frågor att ställa till kommunen" in email
    assert "/admin/talpunkter/2024/0114/brief.pdf" in html


def test_missing_sub_index_in_the_brief_table(staff_login):
    two_years()
    html = staff_login.get("/admin/talpunkter/2024/0115").get_data(as_text=True)
    assert "Uppgift saknas för delindexet Utförande 2024." in html
    assert "- Utförande: uppgift saknas / 68,0 / –" in html
    no_result = staff_login.get("/admin/talpunkter/2024/0305").get_data(as_text=True)
    assert "Håbo har inget resultat i Hemtjänstindex 2024." in no_result and "brevet.html" not in no_result
    assert staff_login.get("/admin/talpunkter/2024/0305/brevet.html").status_code == 404


def test_ranking_links_to_the_municipality_page(staff_login):
    two_years()
    html = staff_login.get("/admin/resultat/2024").get_data(as_text=True)
    assert 'href="/admin/talpunkter/2024/0114">Upplands Väsby</a>' in html
    assert staff_login.get("/admin/talpunkter/2024/9999").status_code == 404
    assert staff_login.get("/admin/talpunkter/2031/0114").status_code == 404


def test_index_chooser_redirects(staff_login):
    two_years()
    assert "Sammanfattning för hela landet 2024" in staff_login.get("/admin/talpunkter/").get_data(as_text=True)
    response = staff_login.get("/admin/talpunkter/?year=2023&kommun=0117")
    assert response.headers["Location"].endswith("/admin/talpunkter/2023/0117")


def test_national_summary_page(staff_login):
    two_years()
    html = staff_login.get("/admin/talpunkter/2024/sammanfattning").get_data(as_text=True)
    assert "Hemtjänstindex 2024: hela landet" in html
    assert "Störst klättring sedan 2023: Upplands Väsby (från plats 3 till plats 1), som klättrade 2 placeringar." in html


def test_district_digest_preview_ranks_within_the_district(staff_login):
    two_years()
    store_year(2024, {"0114": "72.5", "0115": "68.0", "0117": "68.0", "0305": "80.0"})
    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    html = staff_login.get(f"/admin/talpunkter/2024/distrikt/{stockholm.id}").get_data(as_text=True)
    # Håbo (Uppsala) is first nationally but not in this district.
    assert "Håbo" not in html
    assert "<h1>Distriktsbrev: SPF Seniorerna Stockholm 2024</h1>" in html
    assert "plats 1 av 3 i distriktet: Upplands Väsby 72,5" in html
    assert "delad plats 2 av 3 i distriktet: Vallentuna 68,0" in html
    assert "delad plats 2 av 3 i distriktet: Österåker 68,0" in html
    email = staff_login.get(f"/admin/talpunkter/2024/distrikt/{stockholm.id}/brevet.html")
    assert email.headers["X-Frame-Options"] == "SAMEORIGIN" and "Upplands Väsby" in email.get_data(as_text=True)
    sodermanland = db.session.scalar(select(District).where(District.county_code == "04"))
    empty = staff_login.get(f"/admin/talpunkter/2024/distrikt/{sodermanland.id}").get_data(as_text=True)
    assert "Ingen kommun i SPF Seniorerna Södermanland har resultat för 2024" in empty
    assert staff_login.get(f"/admin/talpunkter/2024/distrikt/{sodermanland.id}/brevet.html").status_code == 404


def test_pdf_brief_is_a4_with_the_municipality_name(staff_login):
    two_years()
    response = staff_login.get("/admin/talpunkter/2024/0114/brief.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert 'filename="hemtjanstindex-2024-0114.pdf"' in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Upplands Väsby i Hemtjänstindex 2024" in text
    assert "72,5" in text and "68,5" in text


def test_cli_writes_the_pdf(runner, tmp_path):
    two_years()
    target = tmp_path / "brev.pdf"
    result = runner.invoke(args=["hti", "brief-pdf", "Vallentuna", "--year", "2024", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert f"Utskriften för Vallentuna 2024 är sparad i {target}." in result.output
    text = " ".join(PdfReader(str(target)).pages[0].extract_text().split())
    assert "Vallentuna i Hemtjänstindex 2024" in text
    assert "Uppgift saknas för delindexet Utförande 2024." in text
    missing = runner.invoke(args=["hti", "brief-pdf", "Håbo", "--year", "2024", "--output", str(target)])
    assert missing.exit_code != 0 and "Håbo har inget resultat för 2024." in missing.output


def test_chart_is_a_png_with_and_without_a_sub_index():
    from decimal import Decimal

    from hti_comms.briefs.charts import sub_index_chart
    from hti_comms.briefs.talking_points import SubIndexFigure

    figures = [SubIndexFigure("information", "Information", Decimal("61.2"), Decimal("58.85")),
               SubIndexFigure("utforande", "Utförande", None, Decimal("60"))]
    png = sub_index_chart(figures, "Upplands Väsby")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    # 4 inches at 110 dpi: shown about 320 px wide on a phone, where its 13 pt text is still 14 px.
    assert width == 440
    assert height == int((1.2 + 1.5 * len(figures) * 0.62) * 110)  # one band per area

