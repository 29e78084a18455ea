"""Registering from the public page in Debian's chromium, on a phone-sized screen."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hti_comms import clock
from hti_comms.events.models import Registration, RegistrationStatus

from tests.helpers import follow

from .helpers import at, make_event

pytestmark = pytest.mark.browser


def test_register_from_the_public_page_on_a_phone(app, db, live_server, browser_page):
    clock.set_now(at("2025-11-05T09:00:00+01:00"))
    event = make_event(capacity="10")
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/evenemang")
    follow(page, page.get_by_role("link", name="Grundkurs om Hemtjänstindex"))
    assert page.get_by_role("heading", level=1).inner_text() == "Grundkurs om Hemtjänstindex"
    assert "torsdag 6 november kl. 10.00–11.30" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # one column, no sideways scrolling
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18

    # A forgotten name: the error is listed at the top and next to the field, nothing is saved.
    page.get_by_label("Din e-postadress").fill("greta@exempel.se")
    page.get_by_label("Ditt uppdrag").select_option(label="Ledamot i kommunens pensionärsråd")
    page.get_by_role("button", name="Anmäl mig").click()
    expect(page.get_by_role("link", name="Ditt namn: Skriv ditt namn.")).to_be_visible()
    assert db.session.scalar(select(Registration)) is None

    # The rest by keyboard, as someone without a mouse would.
    page.get_by_label("Ditt namn").fill("Greta Gran")
    page.get_by_label("Kommun eller förening").fill("Habo")
    page.get_by_label("Fråga till de medverkande (frivilligt)").fill("Hur läser vi delindex?")
    page.get_by_label("Fråga till de medverkande (frivilligt)").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tack för din anmälan!")
    assert "greta@exempel.se" in page.inner_text("main")
    db.session.expire_all()
    registration = db.session.scalar(select(Registration))
    assert (registration.name, registration.organisation, registration.question, registration.status) == \
        ("Greta Gran", "Habo", "Hur läser vi delindex?", RegistrationStatus.REGISTERED)
    assert registration.event_id == event.id
