"""The public municipality page: "Kommunens eget arbete med resultatet" shows the plan with status and date and
when it was updated; the follow-up links are its sources; the year after, how the planned areas moved."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.public.models import FollowUpLink
from tests.publication.helpers import PUBLISHED_AT, results_for_2025

from .helpers import add


@pytest.fixture
def published(app):
    results_for_2025()
    clock.set_now(PUBLISHED_AT + timedelta(hours=1))


def _page(client, year: int = 2025, code: str = "0114") -> str:
    response = client.get(f"/resultat/{year}/{code}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page: str) -> str:
    return page.split("<h2>Kommunens eget arbete med resultatet</h2>", 1)[1]


def test_the_plan_shows_per_area_with_status_date_and_when_it_was_updated(client, published):
    before = _section(_page(client))
    assert "Kommunen har inte berättat om sina åtgärder efter resultatet 2025 ännu." in before
    clock.set_now(clock.now() + timedelta(days=60))  # Monday 2 February 2026
    add(2025, "0114", "utforande", "ge varje person en fast kontaktperson", horizon="lang", status="pagar",
        source_url="https://www.vasby.example.se/kontaktperson")
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    db.session.add(FollowUpLink(year=2025, municipality_code="0114", title="Handlingsplan för hemtjänsten",
                                url="https://www.vasby.example.se/handlingsplan", added_at=clock.now()))
    db.session.commit()
    section = _section(_page(client))
    assert "Upplands Väsby har berättat vad kommunen gör efter resultatet 2025. Planen är uppdaterad 2 februari 2026." \
        in section
    assert section.index("<h3>Information</h3>") < section.index("<h3>Utförande</h3>")  # the index's order
    assert "Ta fram en tydligare webbplats med klarspråk" in section and "Kort sikt · Planerad sedan 2 februari 2026" \
        in section
    assert "Lång sikt · Pågår sedan 2 februari 2026" in section
    assert '<a href="https://www.vasby.example.se/kontaktperson">Källa: kommunens egen sida' in section
    sources = section.split("<h3>Källor</h3>", 1)[1]
    assert '<a href="https://www.vasby.example.se/handlingsplan">Handlingsplan för hemtjänsten</a>' in sources
    assert "ge varje person" not in _section(_page(client, code="0115"))  # another municipality's page


def test_the_year_after_the_page_says_how_the_planned_area_moved(client, published):
    from hti_comms.publication.moments import parse_wall_clock, set_publication

    add(2024, "0115", "information", "ge tydligare information om avgifterna")
    # While 2024 is not public, its figures (the plan's starting point) stay off the page.
    assert "Så gick det med planen" not in _page(client, code="0115")
    assert "sjönk trots planen" not in _page(client, code="0115")
    set_publication(2024, parse_wall_clock("2024-12-05 07:00"), actor="test")
    db.session.commit()
    section = _section(_page(client, code="0115"))
    assert "<h3>Så gick det med planen efter 2024</h3>" in section
    assert ("Inför 2025 planerade Vallentuna att ge tydligare information om avgifterna (Information). Sedan dess "
            "har delindex Information minskat med 4,0 enheter, från 70,0 till 66,0.") in section
    assert "Information sjönk trots planen: vad hände med planen att ge tydligare information om avgifterna?" in \
        _page(client, code="0115")
    own_year = _page(client, year=2024, code="0115")
    assert "Så gick det med planen" not in own_year and "Ge tydligare information om avgifterna" in own_year


def test_before_publication_nothing_of_the_year_shows_with_or_without_a_plan(client, app):
    results_for_2025()  # the clock stands a month before the publication
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    assert client.get("/resultat/2025/0114").status_code == 404
