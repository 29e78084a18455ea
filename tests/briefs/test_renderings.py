"""Charts, brief emails and PDFs are made once per (year, municipality, data version) and kept between views."""
from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from hti_comms.briefs import charts, pdf, renderings
from hti_comms.briefs.emails import send_local_brief
from hti_comms.briefs.models import BriefRendering
from hti_comms.delivery import render
from hti_comms.delivery.models import SendAttachment
from hti_comms.delivery.outbox import Recipient
from hti_comms.extensions import db
from hti_comms.geo.models import Municipality
from tests.briefs.factories import store_year

PAGE = "/admin/talpunkter/2024/0114"


def two_years(utforande_2024: str = "71.0", index_2023: str = "60.0"):
    store_year(2023, {"0114": index_2023, "0115": "70.0", "0117": "65.0"})
    store_year(2024, {"0114": ["72.5", "70.0", "75.0", utforande_2024, "74.0"],
                      "0115": ["68.0", "66.0", "69.0", "", "70.0"], "0117": "65.0"})


@pytest.fixture
def made(monkeypatch) -> Counter:
    """Count the charts drawn, the emails inlined and the PDFs made: the real renderers, counted on the way."""
    counts: Counter = Counter()

    def count(module, name: str, key: str) -> None:
        original = getattr(module, name)

        def counted(*args, **kwargs):
            counts[key] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    count(charts, "sub_index_chart", "chart")
    count(render, "inline_css", "email")
    count(pdf, "brief_pdf", "pdf")
    return counts


def preview_of(page: str) -> str:
    """Return the email preview of a brief page, its signed links (signed at each view) made alike."""
    return re.sub(r"/(avregistrera|installningar)/[\w.\-]+", r"/\1/…", page[page.index("Så ser resultatbrevet ut"):])


def test_a_second_view_of_the_brief_page_draws_and_inlines_nothing(staff_login, made):
    two_years()
    first = staff_login.get(PAGE).get_data(as_text=True)
    assert made == {"chart": 1, "email": 1}
    second = staff_login.get(PAGE).get_data(as_text=True)
    third = staff_login.get(PAGE).get_data(as_text=True)
    # The page shows the email in a frame of its own document, from the same kept rendering.
    email = staff_login.get(PAGE + "/brevet.html").get_data(as_text=True)
    assert made == {"chart": 1, "email": 1}
    assert preview_of(second) == preview_of(third) == preview_of(first)
    assert "data:image/png;base64," in email and "- Utförande: 71,0 / 68,0 / 3,0 enheter över genomsnittet" in second
    kinds = db.session.scalars(select(BriefRendering.kind).where(BriefRendering.municipality_code == "0114"))
    assert sorted(kinds) == ["chart", "email"]


def test_a_reimport_with_other_figures_shows_them_with_a_new_chart(staff_login, made):
    two_years()
    staff_login.get(PAGE)
    two_years(utforande_2024="80.0")
    page = staff_login.get(PAGE).get_data(as_text=True)
    assert made == {"chart": 2, "email": 2}
    assert "- Utförande: 80,0 / 72,5 / 7,5 enheter över genomsnittet" in page
    assert "71,0" not in preview_of(page)
    # One row per kind, year and municipality: the new rendering replaced the old one.
    assert db.session.scalar(select(func.count()).select_from(BriefRendering)) == 2
    staff_login.get(PAGE)
    assert made == {"chart": 2, "email": 2}


def test_a_reimport_of_the_previous_year_changes_the_trend_in_the_brief(staff_login, made):
    two_years()
    assert "Sedan 2023 har indexet ökat med 12,5 enheter" in preview_of(staff_login.get(PAGE).get_data(as_text=True))
    two_years(index_2023="70.0")
    page = preview_of(staff_login.get(PAGE).get_data(as_text=True))
    assert "Sedan 2023 har indexet ökat med 2,5 enheter, från 70,0 till 72,5" in page
    # The chart shows only 2024's sub-indices, so it stays as it was; the email is made again.
    assert made == {"chart": 1, "email": 2}


def test_the_pdf_is_made_once_per_data_version(staff_login, made):
    two_years()
    first = staff_login.get(f"{PAGE}/brief.pdf")
    second = staff_login.get(f"{PAGE}/brief.pdf")
    assert first.status_code == second.status_code == 200
    assert second.headers["Content-Disposition"] == 'attachment; filename="hemtjanstindex-2024-0114.pdf"'
    assert first.data == second.data and first.data.startswith(b"%PDF")
    assert made == {"chart": 1, "pdf": 1}
    # The page then finds the chart the PDF drew.
    staff_login.get(PAGE)
    assert made == {"chart": 1, "pdf": 1, "email": 1}

    two_years(utforande_2024="80.0")
    reader = PdfReader(io.BytesIO(staff_login.get(f"{PAGE}/brief.pdf").data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Utförande 80,0 72,5 7,5 enheter över genomsnittet" in text
    assert made == {"chart": 2, "pdf": 2, "email": 1}


def test_a_send_attaches_the_kept_chart(staff_login, made):
    two_years()
    staff_login.get(PAGE)
    send = send_local_brief(db.session.get(Municipality, "0114"), 2024, [Recipient("anna@example.se", "Anna Råd")],
                            embargoed_audience=True)
    assert made["chart"] == 1
    attachment = db.session.scalar(select(SendAttachment).where(SendAttachment.send_id == send.id))
    kept = db.session.scalar(select(BriefRendering.content).where(BriefRendering.kind == "chart"))
    assert attachment.data == kept


def test_the_layout_fingerprint_follows_the_templates(app, tmp_path, monkeypatch):
    template = tmp_path / "templates" / "emails" / "base.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>Hej</p>")
    monkeypatch.setattr(renderings, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(renderings, "LAYOUT_SOURCES", ("templates/emails",))
    before = renderings._layout_fingerprint.__wrapped__()
    assert renderings._layout_fingerprint.__wrapped__() == before
    template.write_text("<p>Hej då</p>")
    assert renderings._layout_fingerprint.__wrapped__() != before
