"""Staff copy a talking point in a real browser; without JavaScript the copy buttons stay hidden."""
import pytest
from playwright.sync_api import expect

from tests.briefs.factories import store_year
from tests.conftest import TEST_PASSWORD
from tests.helpers import browser_second_step, follow

pytestmark = pytest.mark.browser


def log_in(page, live_server, staff_user, next_path):
    page.goto(f"{live_server}/logga-in?next={next_path}")
    page.get_by_label("E-postadress").fill(staff_user.email)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    browser_second_step(page, staff_user.email)


def test_copy_button_copies_the_sentence(app, live_server, browser_page, staff_user):
    store_year(2024, {"0114": "62.3", "0115": "55.4"})
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    log_in(page, live_server, staff_user, "/admin/resultat/2024")
    follow(page, page.get_by_role("link", name="Upplands Väsby"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Talpunkter: Upplands Väsby 2024")

    buttons = page.get_by_role("button", name="Kopiera", exact=True)
    expect(buttons.first).to_be_visible()  # copy.js shows them once it has run
    assert buttons.count() == len(page.locator("ol.points > li").all())
    buttons.nth(1).click()
    buttons.first.click()
    # The answer appears next to the button that was pressed, and only there.
    expect(page.locator("ol.points > li").first.locator("button + .copy-feedback")).to_have_text(
        "Kopierat. Klistra in texten där du vill använda den.")  # the clipboard answers asynchronously
    expect(page.locator("ol.points > li").nth(1).locator(".copy-feedback")).to_have_text("")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == ("Upplands Väsby fick 62,3 i Hemtjänstindex 2024, jämfört med genomsnittet 58,9 för samtliga "
                      "kommuner, alltså 3,5 enheter över genomsnittet. Det ger plats 1 av 2 i rankningen.")


def test_unpublished_figures_are_marked_and_cannot_be_sent(app, live_server, browser_page, staff_user):
    store_year(2024, {"0114": "62.3", "0115": "55.4"})  # imported without a publication time
    page = browser_page
    log_in(page, live_server, staff_user, "/admin/talpunkter/2024/0114")
    banner = page.locator(".banner.unpublished")
    expect(banner).to_contain_text("EJ PUBLICERAT Resultaten för 2024 har ingen publiceringstid ännu.")
    button = page.get_by_role("button", name="Skicka resultatbrevet till pensionärsrådet")
    expect(button).to_be_disabled()
    reason = page.locator(f"#{button.get_attribute('aria-describedby')}")
    expect(reason).to_have_text("Brevet kan inte skickas än. Resultaten för 2024 har ingen publiceringstid ännu, "
                                "och först då kan brevet skickas.")
    assert "kan skickas först när" not in page.content()


def test_without_javascript_the_text_is_there_and_no_dead_buttons(app, live_server, browser_page, staff_user):
    store_year(2024, {"0114": "62.3", "0115": "55.4"})
    context = browser_page.context.browser.new_context(java_script_enabled=False, locale="sv-SE")
    page = context.new_page()
    log_in(page, live_server, staff_user, "/admin/talpunkter/2024/0114")
    assert page.get_by_role("button", name="Kopiera", exact=True).count() == 0
    page.get_by_text("Alla talpunkter som en text att markera och kopiera").click()
    assert page.get_by_label("Alla talpunkter").input_value().startswith("Upplands Väsby fick 62,3")
    context.close()
