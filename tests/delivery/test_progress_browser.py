"""The progress page in a real browser (Debian's chromium): counts change while a send runs."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from hti_comms.delivery.sink import free_port
from hti_comms.delivery.worker import deliver_due
from tests.conftest import TEST_PASSWORD

from .helpers import enqueue_people, sample_spec

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")]


@pytest.fixture
def live_server(app):
    # Plain http on 127.0.0.1, so the session cookie must not be marked Secure here.
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_counts_update_while_the_send_runs(app, db, staff_user, live_server, mail_sink):
    from playwright.sync_api import expect, sync_playwright

    send_id = enqueue_people(12, sample_spec(subject="Inbjudan till grundkursen"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{live_server}/logga-in")
            page.fill("input[name=email]", staff_user.email)
            page.fill("input[name=password]", TEST_PASSWORD)
            page.click("button[type=submit]")
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
        finally:
            browser.close()
