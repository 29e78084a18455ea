"""The talking-point pages say what is true of the year: published figures carry no 'not yet' and no marker."""
import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.geo.models import District
from hti_comms.results.models import ResultSet
from tests.briefs.factories import store_year

STALE = ("kan inte skickas än", "först då", "först när", "EJ PUBLICERAT", "får inte visas")


def publish(year):
    db.session.get(ResultSet, year).published_at = clock.now() - timedelta(days=1)
    db.session.commit()


def pages(client, year):
    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    return {"talpunkter": client.get(f"/admin/talpunkter/{year}/0114").get_data(as_text=True),
            "distriktsbrev": client.get(f"/admin/talpunkter/{year}/distrikt/{stockholm.id}").get_data(as_text=True),
            "sammanfattning": client.get(f"/admin/talpunkter/{year}/sammanfattning").get_data(as_text=True),
            "brevet": client.get(f"/admin/talpunkter/{year}/0114/brevet.html").get_data(as_text=True)}


def test_a_published_year_says_nothing_stale(staff_login, make_contact):
    store_year(2024, {"0114": "62.3", "0115": "55.4"})
    make_contact("anna@example.se", list_keys=("lokala-resultat",))  # a council member of Upplands Väsby
    db.session.commit()
    before = pages(staff_login, 2024)
    assert "EJ PUBLICERAT" in before["talpunkter"] and "Brevet kan inte skickas än." in before["talpunkter"]
    assert "EJ PUBLICERAT" in before["distriktsbrev"] and "EJ PUBLICERAT" in before["sammanfattning"]

    publish(2024)
    after = pages(staff_login, 2024)
    for name, html in after.items():
        found = [phrase for phrase in STALE if phrase in html]
        assert not found, f"{name}: {found}"
    assert "Resultaten för 2024 är publicerade, så brevet kan skickas nu." in after["talpunkter"]
    assert 'disabled aria-describedby="send-reason"' not in after["talpunkter"]


def test_the_pdf_of_a_published_year_has_no_marker_and_its_chart_fits(staff_login):
    store_year(2024, {"0114": [62.3, 55, 60, 70, 64], "0115": "55.4"})
    publish(2024)
    reader = PdfReader(io.BytesIO(staff_login.get("/admin/talpunkter/2024/0114/brief.pdf").data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert not [phrase for phrase in STALE if phrase in text]
    # No half-empty first page: the summary and the chart's table both start on page one.
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Resultatet i korthet" in first and "Delindex jämfört med genomsnittet" in first


def test_nothing_in_the_talking_points_or_the_brief_email_is_left_to_fill_in(staff_login):
    import re

    from tests.briefs.test_talking_points import points_for

    store_year(2023, {"0114": "58.0", "0115": "57.0", "0117": "50.0"})
    store_year(2024, {"0114": [62.3, 55, 60, 70, 64], "0115": "55.4", "0117": "49.0"})
    publish(2024)
    texts = [text for code in ("0114", "0115", "0117") for text in points_for(code, 2024).texts()]
    texts.append(staff_login.get("/admin/talpunkter/2024/0115/brevet.html").get_data(as_text=True))
    for text in texts:
        assert not re.search(r"\[[^\]<>]{1,40}\]", text), text  # "[namn]", "[uppdrag]", "[kommun]" …
