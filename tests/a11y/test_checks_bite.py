"""The checks bite: break a page on purpose and each check must report it (a check that cannot fail is no check).

Each test starts from a real page that passes, breaks one thing in the browser, and asserts that the same
check the suite runs on every page now reports exactly that.
"""
from __future__ import annotations

import pytest

from tests.a11y import checks
from tests.a11y.language import leaks

pytestmark = pytest.mark.browser


@pytest.fixture
def signup(chromium, a11y_site):
    """The sign-up page, fresh, in a context that lets axe in."""
    context = chromium.new_context(locale="sv-SE", bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{a11y_site.base_url}/prenumerera")
    yield page
    context.close()


def blocking_rules(page) -> set[str]:
    return {v["id"] for v in checks.run_axe(page).blocking}


def test_axe_reports_a_missing_label_and_poor_contrast(signup):
    assert blocking_rules(signup) == set()
    signup.evaluate("""() => {
        document.querySelector('label[for=email]').remove();
        document.querySelector('p.lead').style.color = '#b0b0b0';
    }""")
    checks.screenshot(signup, "bite.label-and-contrast")
    found = blocking_rules(signup)
    assert {"label", "color-contrast"} <= found, found


def test_small_text_is_reported(signup):
    assert checks.small_text(signup) == []
    signup.evaluate("() => { document.querySelector('p.lead').style.fontSize = '15px'; }")
    [finding] = checks.small_text(signup)
    assert finding.startswith("p.lead ”Anmäl dig för att få nyhetsbrev") and finding.endswith(": 15 px")


def test_a_faint_or_missing_focus_ring_is_reported(signup):
    assert checks.tab_through(signup, limit=6) == []
    # The amber ring the site had before: about 1.6:1 on white.
    signup.add_style_tag(content=":focus-visible, input:focus { outline: 3px solid #ffbf47 !important; }")
    faint = checks.tab_through(signup, limit=6)
    assert faint and all("1.6" in finding and ":1 against its background" in finding for finding in faint), faint
    signup.add_style_tag(content=":focus-visible, input:focus { outline: none !important; }")
    missing = checks.tab_through(signup, limit=6)
    assert missing and all("shows no focus outline" in finding for finding in missing), missing


def test_a_missing_skip_link_is_reported(signup):
    assert checks.skip_link_problem(signup) is None
    signup.evaluate("() => document.querySelector('.skip-link').remove()")
    assert checks.skip_link_problem(signup).startswith("the first Tab stop is A ”Hemtjänstindex · SPF Seniorerna”")


def test_sideways_scrolling_is_reported(signup):
    signup.set_viewport_size({"width": 640, "height": 450})
    assert checks.horizontal_overflow(signup) == []
    signup.evaluate("""() => { const p = document.createElement('p');
        p.id = 'bred'; p.textContent = 'https://hti.example.se/bekrafta/' + 'x'.repeat(300);
        p.style.overflowWrap = 'normal'; p.style.wordBreak = 'normal';
        document.querySelector('main').append(p); }""")
    found = checks.horizontal_overflow(signup)
    assert found and found[0].startswith("the page is ") and "in a 640 px window" in found[0], found
    assert any(f.startswith("p#bred") for f in found[1:]), found


def test_links_told_apart_by_colour_alone_are_reported(signup):
    assert checks.links_told_apart_by_colour_only(signup) == []
    signup.evaluate("() => document.querySelectorAll('footer a').forEach(a => a.style.textDecoration = 'none')")
    found = checks.links_told_apart_by_colour_only(signup)
    assert any("mailto" not in f and "is not underlined" in f for f in found), found


def test_english_words_codes_and_placeholders_are_reported(signup):
    # Machine text shown as such (header names on Testpost) is not prose and is left out.
    signup.evaluate("() => { const c = document.createElement('code'); c.textContent = 'Date';"
                    " document.querySelector('main').append(c); }")
    assert leaks(checks.visible_text(signup), ["local_brief"]) == []
    signup.evaluate("""() => {
        document.querySelector('button[type=submit]').textContent = 'Submit';
        document.querySelector('p.lead').textContent += ' Slag: local_brief. Hej [namn]!';
        document.querySelector('#email').setAttribute('placeholder', 'Preview');
    }""")
    found = leaks(checks.visible_text(signup), ["local_brief"])
    assert sorted(f.split("”")[1] for f in found) == ["Preview", "Submit", "[namn]", "local_brief"], found
