"""The progress page in a real browser (Debian's chromium): counts change while a send runs."""
from __future__ import annotations

import pytest

from hti_comms.delivery.worker import deliver_due
from tests.conftest import TEST_PASSWORD
from tests.helpers import browser_second_step

from .helpers import enqueue_people, sample_spec

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_counts_update_while_the_send_runs(app, db, staff_user, live_server, browser_page, mail_sink):
    from playwright.sync_api import expect

    send_id = enqueue_people(12, sample_spec(subject="Inbjudan till grundkursen"))
    page = browser_page
    page.goto(f"{live_server}/logga-in")
    page.fill("input[name=email]", staff_user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    browser_second_step(page, staff_user.email)
    page.goto(f"{live_server}/admin/utkorg/{send_id}")
    expect(page.locator("[data-count=queued]")).to_have_text("12")
    expect(page.locator("#send-status")).to_have_text("Skickas")

    deliver_due(limit=5)
    expect(page.locator("[data-count=sent]")).to_have_text("5", timeout=10_000)
    expect(page.locator("[data-count=queued]")).to_have_text("7")

    deliver_due()
    expect(page.locator("[data-count=sent]")).to_have_text("12", timeout=10_000)
    expect(page.locator("#send-status")).to_have_text("Klart")
    expect(page.locator("#live-note")).to_have_text("Utskicket är klart.")
