"""The public sign-up and the audience form's live size, in Debian's chromium."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hti_comms.subscribers.models import Contact, ContactStatus
from tests.conftest import TEST_PASSWORD
from tests.helpers import browser_second_step, follow

pytestmark = pytest.mark.browser


def test_a_person_signs_up_with_the_municipality_list(app, db, lists, live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/prenumerera")
    page.get_by_label("Ditt namn").fill("Greta Gran")
    page.get_by_label("Din e-postadress").fill("greta@exempel.se")
    page.get_by_label("Ditt uppdrag").select_option(label="Ledamot i kommunens seniorråd")
    assert page.locator("#kommuner option").count() == 290
    page.get_by_label("Din kommun").fill("Habo")
    page.get_by_label("Kurser och webbinarier").check()
    page.get_by_label("Jag har läst texten ovan").check()
    follow(page, page.get_by_role("button", name="Anmäl mig"))

    assert page.get_by_role("heading", level=1).inner_text() == "Tack! Titta nu i din e-post"
    db.session.expire_all()
    contact = db.session.scalar(select(Contact))
    assert contact.status is ContactStatus.PENDING
    assert contact.list_keys == {"nyhetsbrev", "kurser"}  # the newsletter is ticked from the start
    assert contact.affiliations[0].describe() == "Ledamot i seniorråd, Habo"


def test_audience_size_follows_the_choices_live(app, db, make_contact, staff_user, live_server, browser_page):
    make_contact("a@exempel.se", municipality="Borås", list_keys=("kurser",))
    make_contact("b@exempel.se", municipality="Stockholm", list_keys=("kurser", "nyhetsbrev"))
    page = browser_page
    page.goto(f"{live_server}/logga-in?next=/admin/kontakter/malgrupper/ny")
    page.get_by_label("E-postadress").fill(staff_user.email)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    browser_second_step(page, staff_user.email)

    size = page.locator("#audience-size")
    assert size.inner_text() == "0 mottagare just nu"  # no list chosen yet: mail goes only to those who chose one
    page.get_by_label("Kurser och webbinarier").check()
    expect(size).to_have_text("2 mottagare just nu")
    # A municipality typed in the searchable field counts as soon as the field is left.
    page.get_by_label("Lägg till kommun").fill("Borås")
    page.get_by_label("Lägg till kommun").press("Tab")
    expect(size).to_have_text("1 mottagare just nu")
    page.get_by_label("Lägg till kommun").fill("")
    page.get_by_label("Lägg till kommun").press("Tab")
    expect(size).to_have_text("2 mottagare just nu")
    page.get_by_label("Västra Götalands län").check()
    # expect() polls without eval(): the page's Content-Security-Policy would refuse wait_for_function's string.
    expect(size).to_have_text("1 mottagare just nu")
    page.get_by_label("Västra Götalands län").uncheck()
    page.get_by_label("Hemtjänstindex nyhetsbrev").check()
    expect(size).to_have_text("2 mottagare just nu")


def test_on_a_phone_the_consent_box_keeps_its_size_and_every_mistake_is_listed(app, db, lists, live_server,
                                                                               browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/prenumerera")
    for box in (page.locator("#consent"), page.get_by_label("Kurser och webbinarier")):
        size = box.evaluate("e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }")
        # 1.3rem of the 18 px body text; a flex item beside a long label used to shrink to a sliver.
        assert size[0] >= 20 and abs(size[0] - size[1]) < 1, size
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_label("Ditt uppdrag").select_option(label="Ordförande i en SPF-förening")
    page.get_by_label("Din kommun").fill("Atlantis")
    page.get_by_role("button", name="Anmäl mig").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    assert [link.get_attribute("href") for link in links.all()] == \
        ["#name", "#email", "#municipality", "#association", "#consent"]
    links.nth(2).click()
    expect(page.get_by_label("Din kommun")).to_be_focused()
    assert page.get_by_label("Din kommun").input_value() == "Atlantis"  # what was typed stays
    assert page.get_by_label("Din kommun").get_attribute("aria-invalid") == "true"


def test_the_thank_you_page_names_the_address(app, db, lists, live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/prenumerera")
    page.get_by_label("Ditt namn").fill("Greta Gran")
    page.get_by_label("Din e-postadress").fill("greta.gran@exempel.se")
    page.get_by_label("Ditt uppdrag").select_option(label="Anställd på SPF Seniorerna")
    page.get_by_label("Jag har läst texten ovan").check()
    page.get_by_role("button", name="Anmäl mig").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Titta nu i din e-post")
    expect(page.locator("main strong.address")).to_have_text("greta.gran@exempel.se")


def test_too_many_tries_keeps_the_form_filled_in_and_passes_axe(app, db, lists, live_server, chromium):
    from tests.a11y.checks import run_axe, screenshot

    app.config["SIGNUP_RATE_LIMIT"] = "1 per 10 minutes"
    context = chromium.new_context(locale="sv-SE", bypass_csp=True)  # axe-core is injected as an inline script
    page = context.new_page()

    def sign_up(address):
        page.goto(f"{live_server}/prenumerera")
        page.get_by_label("Ditt namn").fill("Greta Gran")
        page.get_by_label("Din e-postadress").fill(address)
        page.get_by_label("Ditt uppdrag").select_option(label="Ledamot i kommunens seniorråd")
        page.get_by_label("Din kommun").fill("Habo")
        page.get_by_label("Jag har läst texten ovan").check()
        follow(page, page.get_by_role("button", name="Anmäl mig"))

    sign_up("greta@exempel.se")
    sign_up("greta.gran@exempel.se")
    box = page.locator(".error-summary")
    expect(box).to_be_focused()
    expect(box).to_contain_text("För många försök")
    expect(box).to_contain_text("minuter och tryck sedan på ”Anmäl mig” igen")
    assert page.get_by_label("Din e-postadress").input_value() == "greta.gran@exempel.se"
    assert page.get_by_label("Din kommun").input_value() == "Habo"
    assert page.get_by_label("Jag har läst texten ovan").is_checked()
    screenshot(page, "subscribers.test_browser.too_many_tries", folder="browser")
    result = run_axe(page)
    context.close()
    assert not result.blocking, result.describe()
