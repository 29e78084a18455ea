"""Keyboard only, as a reader without a mouse: sign up, correct errors, change preferences.

Only the keyboard is used in the page (Tab, typing, Space, arrow keys, Enter); the tests read the page to
know where focus is, never click.
"""
from __future__ import annotations

import pytest

from tests.a11y import checks

pytestmark = pytest.mark.browser


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : '';
        return {tag: el.tagName, id: el.id, label, text: (el.innerText || '').trim(), type: el.type || '',
                classes: el.className || ''};
    }""")


def tab_to(page, predicate, what: str, limit: int = 60) -> dict:
    """Press Tab until `predicate(focused element)` holds; fail naming `what` if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = focused(page)
        if predicate(here):
            return here
    pytest.fail(f"Tab never reached {what}")


def by_label(text):
    return lambda here: here["label"].startswith(text)


def by_text(text):
    return lambda here: here["text"] == text


def choose_with_arrows(page, option_text: str, limit: int = 20) -> None:
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.selectedOptions[0].textContent.trim()") == option_text:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"the arrow keys never reached ”{option_text}”")


@pytest.fixture
def keyboard_page(chromium, a11y_site):
    context = chromium.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def submit_with_enter(page) -> None:
    """Press Enter on a submit button and wait for the page it leads to (not the one still showing)."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")


def test_sign_up_with_the_keyboard_after_correcting_errors(a11y_site, keyboard_page):
    page = keyboard_page
    page.goto(f"{a11y_site.base_url}/prenumerera")
    checks.start_keyboard_from_top(page)
    tab_to(page, by_label("Ditt namn"), "the name field")
    page.keyboard.type("Sven Svensson")
    tab_to(page, by_label("Din e-postadress"), "the email field")
    page.keyboard.type("sven.svensson(at)example.se")
    tab_to(page, by_text("Anmäl mig"), "the sign-up button")
    submit_with_enter(page)
    checks.screenshot(page, "keyboard.signup.errors")

    # The summary at the top has focus and is announced; it links to each field with an error.
    summary = focused(page)
    assert "error-summary" in summary["classes"], f"focus is on {summary} after a failed submit, not the summary"
    assert page.locator(".error-summary").get_attribute("role") == "alert"
    links = page.locator(".error-summary a")
    targets = [link.get_attribute("href") for link in links.all()]
    assert "#email" in targets and "#consent" in targets, targets
    for target in targets:
        field = page.locator(target)
        assert field.count() == 1, f"the summary links to {target}, which is not on the page"
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby").split()
    assert any("e-postadress" in page.locator(f"#{i}").inner_text() for i in described), described
    assert page.get_by_label("Ditt namn").input_value() == "Sven Svensson"  # what was typed is kept

    # Enter on a link in the summary puts focus in its field, ready to type.
    tab_to(page, lambda here: here["tag"] == "A" and "e-postadress" in here["text"].lower(), "the email error link")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "email"
    page.keyboard.press("Control+A")
    page.keyboard.type("sven.svensson@example.se")
    tab_to(page, by_label("Ditt uppdrag"), "the role list")
    choose_with_arrows(page, "Ledamot i kommunens pensionärsråd")
    tab_to(page, by_label("Din kommun"), "the municipality field")
    page.keyboard.type("Habo")
    tab_to(page, by_label("Jag har läst texten ovan"), "the consent box")
    page.keyboard.press("Space")
    tab_to(page, by_text("Anmäl mig"), "the sign-up button")
    submit_with_enter(page)
    checks.screenshot(page, "keyboard.signup.thanks")
    assert page.get_by_role("heading", level=1).inner_text() == "Tack! Titta nu i din e-post"


def test_change_preferences_with_the_keyboard(a11y_site, keyboard_page):
    from sqlalchemy import select

    from hti_comms.extensions import db
    from hti_comms.links import preferences_url
    from hti_comms.subscribers.directory import ContactDetails, add_contact
    from hti_comms.subscribers.models import Contact, LegalBasis

    address = "tangent.bord@example.se"
    with a11y_site.app.app_context():
        contact = add_contact(ContactDetails(address, "Tora Tangent", "", ["nyhetsbrev", "kurser"]),
                              LegalBasis.CONSENT_GIVEN, None, actor="personal@spf.example")
        path = preferences_url(contact.link_key).split("/installningar/", 1)[1]
    page = keyboard_page
    page.goto(f"{a11y_site.base_url}/installningar/{path}")
    checks.start_keyboard_from_top(page)
    tab_to(page, by_label("Kurser och webbinarier"), "the courses box")
    page.keyboard.press("Space")
    tab_to(page, by_label("Lokala resultat"), "the local results box")
    page.keyboard.press("Space")
    tab_to(page, by_text("Spara mina val"), "the save button")
    submit_with_enter(page)
    checks.screenshot(page, "keyboard.preferences.saved")
    assert "Dina val är sparade." in page.get_by_role("status").first.inner_text()
    with a11y_site.app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.email == address))
        assert contact.list_keys == {"nyhetsbrev", "lokala-resultat"}


def test_the_public_menu_on_a_phone_with_the_keyboard_only(chromium, a11y_site):
    """360 px wide: the skip link first, then the five menu links in order, all on screen; Enter follows one."""
    context = chromium.new_context(locale="sv-SE", viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(a11y_site.base_url + "/")
        page.keyboard.press("Tab")
        assert focused(page)["text"] == "Till sidans innehåll"
        tab_to(page, by_text("Resultat"), "the menu's first link", limit=3)
        for label in ("Evenemang", "Nyhetsbrev", "Beställ rapportpaketet", "Prenumerera"):
            page.keyboard.press("Tab")
            assert focused(page)["text"] == label
            box = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
            assert 0 <= box["left"] and box["right"] <= 360, (label, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        with page.expect_navigation(wait_until="load"):
            page.keyboard.press("Enter")
        assert page.url.endswith("/prenumerera")
        current = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Prenumerera")
        assert current.get_attribute("aria-current") == "page"
    finally:
        context.close()
