"""The public sign-up and the audience form's live size, in Debian's chromium."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hti_comms.subscribers.models import Contact, ContactStatus
from tests.conftest import TEST_PASSWORD

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
    page.get_by_role("button", name="Anmäl mig").click()

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

    size = page.locator("#audience-size")
    assert size.inner_text() == "2 mottagare just nu"
    page.get_by_label("Kurser och webbinarier").check()
    page.get_by_label("Västra Götalands län").check()
    # expect() polls without eval(): the page's Content-Security-Policy would refuse wait_for_function's string.
    expect(size).to_have_text("1 mottagare just nu")
    page.get_by_label("Västra Götalands län").uncheck()
    page.get_by_label("Hemtjänstindex nyhetsbrev").check()
    expect(size).to_have_text("2 mottagare just nu")
