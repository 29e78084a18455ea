"""Layout that a single page check cannot judge: the ranking's eleven columns fit a 1280 px window."""
import pytest

from tests.a11y import checks
from tests.results.pages import latest_year

pytestmark = pytest.mark.browser


def test_the_whole_ranking_table_fits_1280_px(a11y_site, staff_page):
    with a11y_site.app.app_context():
        year = latest_year(a11y_site.data)
    page = staff_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{a11y_site.base_url}/admin/resultat/{year}")
    box = page.evaluate("""() => {
        const scroll = document.querySelector('.table-scroll');
        const last = document.querySelector('table.ranking thead th:last-child');
        return {scrollWidth: scroll.scrollWidth, clientWidth: scroll.clientWidth,
                lastRight: last.getBoundingClientRect().right, lastText: last.innerText.trim()};
    }""")
    checks.screenshot(page, "layout.ranking.1280")
    assert box["lastText"].startswith("Förändring")
    assert box["scrollWidth"] <= box["clientWidth"], box
    assert box["lastRight"] <= 1280, box
