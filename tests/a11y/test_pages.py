"""Every declared page in Debian's chromium: axe-core (WCAG 2.1 A/AA) and the checks axe cannot make.

Per page: no serious or critical axe violation (the rest are printed), a skip link as the first Tab stop, a
visible focus outline with at least 3:1 contrast on every Tab stop, no sideways scrolling at 200 % zoom of a
1280 px window, links in running text not told apart by colour alone, plain Swedish (no English words, internal
codes or placeholders) and, on public pages, no text under 18 px and no sideways scrolling on a 360 px phone. Run only these with
`.venv/bin/python -m pytest tests/a11y -m browser`.
"""
from __future__ import annotations

import pytest

from tests.a11y import checks
from tests.a11y.conftest import page_params, visit
from tests.a11y.language import internal_codes, leaks

pytestmark = pytest.mark.browser

#: 200 % zoom of a 1280 × 900 window lays the page out in 640 × 450 CSS pixels.
ZOOMED = {"width": 640, "height": 450}
#: Public pages must also work on a 360 px phone.
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
#: Tab stops checked per page; enough to cover the layout and the first form.
TAB_STOPS = 30


@pytest.mark.parametrize("example", page_params())
def test_page(example, a11y_site, public_page, staff_page):
    page, response = visit(a11y_site, example, public_page, staff_page)
    name = f"page.{example.name}"
    expected_status = 404 if example.path == "/sidan-finns-inte" else None
    status = response.status if response else None
    findings: dict[str, list[str]] = {}
    if expected_status is None and status is not None and status >= 400 and not example.state:
        findings["status"] = [f"{page.url} answered {status}"]

    result = checks.run_axe(page)
    if result.other:
        print(f"\n{example.name}: axe violations below serious (not failing):\n{result.describe('other')}")
    if result.blocking:
        findings["axe"] = [result.describe()]

    is_public = not page.url.removeprefix(a11y_site.base_url).startswith("/admin")
    if is_public:
        findings["text under 18 px"] = checks.small_text(page)
    findings["colour alone"] = checks.links_told_apart_by_colour_only(page)
    findings["plain Swedish"] = leaks(checks.visible_text(page), internal_codes(a11y_site.app))

    problem = checks.skip_link_problem(page)
    findings["skip link"] = [problem] if problem else []
    findings["focus indicator"] = checks.tab_through(page, limit=TAB_STOPS)

    try:
        page.set_viewport_size(ZOOMED)
        findings["200 % zoom"] = checks.horizontal_overflow(page)
        if findings["200 % zoom"]:
            checks.screenshot(page, name + ".zoom200")
        if is_public:
            page.set_viewport_size(PHONE)
            findings["360 px phone"] = checks.horizontal_overflow(page)
            if findings["360 px phone"]:
                checks.screenshot(page, name + ".phone")
    finally:
        page.set_viewport_size(DESKTOP)

    failed = {check: found for check, found in findings.items() if found}
    if failed:  # the pictures are for looking into a failure; taking them for every page cost a fifth of the time
        checks.screenshot(page, name)
    assert not failed, f"{example.name} ({page.url}):\n" + "\n".join(
        f"- {check}:\n    " + "\n    ".join(found) for check, found in failed.items())
