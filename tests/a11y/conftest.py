"""One app, one live server and one browser for every accessibility check (created once per test session).

The app runs on a SQLite database of its own with the reference data, the demo results, the starting lists
and one staff user, so the checks never disturb (or depend on) the tables the other tests empty after each
test. Pages are visited by two long-lived browser pages: one logged out (public pages) and one logged in.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import url_for

from hti_comms import create_app
from hti_comms.extensions import db as _db
from tests.a11y.registry import EMAILS, NOT_PAGES, PAGES, PageData, PageExample, load_declarations
from tests.conftest import TEST_PASSWORD, fresh_database
from tests.helpers import browser_second_step

load_declarations()


@dataclass
class Site:
    app: object
    base_url: str
    data: PageData

    def path_of(self, example: PageExample) -> str:
        """Return the path of a declared page, creating the data it needs."""
        if example.path is not None:
            return example.path
        with self.app.app_context():
            args = example.url_args(self.data)
        with self.app.test_request_context():
            return url_for(example.endpoint, **args)


@contextmanager
def demo_app(directory):
    """Yield (app, staff address): an app on a SQLite database of its own with the demo results and one staff user."""
    from flask_migrate import upgrade

    from hti_comms.geo.services import load_reference_data
    from hti_comms.results.services import load_demo_results
    from hti_comms.subscribers.services import ensure_default_lists

    with fresh_database("sqlite", directory) as database_url:
        app = create_app({"HTI_ENV": "test", "DATABASE_URL": database_url, "SERVER_NAME": None,
                          "BASE_URL": "http://127.0.0.1",
                          # Generous limits, not RATELIMIT_ENABLED=False: the limiter is shared by every app.
                          "LOGIN_RATE_LIMIT": "1000 per minute", "SIGNUP_RATE_LIMIT": "1000 per minute"})
        with app.app_context():
            upgrade()
            load_reference_data()
            load_demo_results()
            ensure_default_lists()
            _db.session.commit()
            from tests.helpers import make_staff

            staff = make_staff("personal@spf.example", name="Karin Personal")
            staff_email = staff.email
        try:
            yield app, staff_email
        finally:
            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()


@pytest.fixture(scope="session")
def a11y_site(tmp_path_factory):
    from werkzeug.serving import make_server

    with demo_app(tmp_path_factory.mktemp("a11y")) as (app, staff_email):
        server = make_server("127.0.0.1", 0, app, threaded=True)
        base_url = f"http://127.0.0.1:{server.server_port}"
        app.config["BASE_URL"] = base_url
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Site(app, base_url, PageData(app, staff_email))
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()


def _new_page(chromium, **options):
    # bypass_csp: axe-core is injected as a script, which the app's Content-Security-Policy rightly forbids.
    context = chromium.new_context(locale="sv-SE", bypass_csp=True, **options)
    return context, context.new_page()


@pytest.fixture(scope="session")
def public_page(chromium, a11y_site):
    """A logged-out browser page, 1280 × 900."""
    context, page = _new_page(chromium, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


@pytest.fixture(scope="session")
def staff_page(chromium, a11y_site):
    """A browser page logged in as staff, 1280 × 900."""
    context, page = _new_page(chromium, viewport={"width": 1280, "height": 900})
    page.goto(f"{a11y_site.base_url}/logga-in")
    page.get_by_label("E-postadress").fill(a11y_site.data.staff_user)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    with a11y_site.app.app_context():
        browser_second_step(page, a11y_site.data.staff_user)
    page.wait_for_url("**/admin/**")
    yield page
    context.close()


def page_params():
    """pytest params for every declared page, known failures marked xfail(strict=True)."""
    return [pytest.param(p, id=p.name, marks=[pytest.mark.xfail(reason=p.known_failure, strict=True)]
                         if p.known_failure else []) for p in PAGES]


def email_params():
    return [pytest.param(e, id=e.name, marks=[pytest.mark.xfail(reason=e.known_failure, strict=True)]
                         if e.known_failure else []) for e in EMAILS]


def visit(site: Site, example: PageExample, public_page, staff_page):
    """Open a declared page in the right browser page (logged in or not) and drive it to its state."""
    path = site.path_of(example)
    #: Staff pages live under /admin; the staff member's own account page under /konto.
    page = staff_page if path.startswith(("/admin", "/konto")) else public_page
    response = page.goto(site.base_url + path)
    if example.then is not None:
        example.then(page)
    page.wait_for_load_state("load")
    return page, response


__all__ = ["EMAILS", "NOT_PAGES", "PAGES", "Site", "demo_app", "email_params", "page_params", "visit"]
