"""The public ranking in a real browser: sort by a column, filter by county, search, at desktop and phone width."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hti_comms import clock
from hti_comms.results.ranking import compute_ranking
from tests.helpers import follow
from tests.public.conftest import PUBLICATION, YEAR

pytestmark = pytest.mark.browser


def _names(page) -> list[str]:
    return page.locator("tbody th[scope=row]").all_inner_texts()


@pytest.mark.parametrize("width", [1280, 390])
def test_visitor_sorts_filters_and_searches_the_ranking(app, live_server, browser_page, years, width):
    clock.set_now(PUBLICATION + timedelta(minutes=5))
    ranking = compute_ranking(YEAR)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server}/resultat/{YEAR}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Hemtjänstindex {YEAR}"
    assert len(_names(page)) == 290
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Sort by Utförande, highest first, then lowest first.
    follow(page, page.get_by_role("link", name=re.compile(r"^Utförande\W+sortera fallande$")))
    by_utforande = sorted(ranking.entries, key=lambda e: (-e.values["utforande"], e.rank))
    assert _names(page)[:3] == [e.municipality_name for e in by_utforande[:3]]
    assert "Sorterat efter utförande, högst först" in page.get_by_role("status").inner_text()
    follow(page, page.get_by_role("link", name=re.compile(r"^Utförande\W+sortera stigande$")))
    assert _names(page)[0] == by_utforande[-1].municipality_name

    # Filter by county: the sort stays, only Skåne's municipalities are left.
    page.get_by_label("Län").select_option(label="Skåne län")
    follow(page, page.get_by_role("button", name="Visa", exact=True))
    skane = [e for e in ranking.entries if e.county_name == "Skåne län"]
    assert sorted(_names(page)) == sorted(e.municipality_name for e in skane)
    assert f"{len(skane)} av 290 kommuner visas" in page.get_by_role("status").inner_text()
    assert _names(page)[0] == min(skane, key=lambda e: (e.values["utforande"], -e.rank)).municipality_name

    # Search within the county, then show everything again.
    page.get_by_label("Sök kommun").fill("malmö")
    follow(page, page.get_by_role("button", name="Visa", exact=True))
    assert _names(page) == ["Malmö"]
    follow(page, page.get_by_role("link", name="Visa alla"))
    assert len(_names(page)) == 290
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    follow(page, page.get_by_role("link", name="Malmö", exact=True))
    assert page.get_by_role("heading", level=1).inner_text() == f"Malmö i Hemtjänstindex {YEAR}"
