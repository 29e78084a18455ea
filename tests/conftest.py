"""Shared fixtures: an app per test on SQLite and (when reachable) PostgreSQL, clients, staff, guards."""
from __future__ import annotations

import os
import shutil
import smtplib
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from hti_comms import clock, create_app
from hti_comms.config import normalise_database_url
from hti_comms.extensions import db as _db

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
TEST_PASSWORD = "rätt-lösenord-123"


def _postgres_admin_url() -> tuple[str, bool]:
    """Return the PostgreSQL URL to create test databases from, and whether it was asked for explicitly."""
    explicit = os.environ.get("HTI_TEST_POSTGRES_URL")
    return normalise_database_url(explicit or DEFAULT_POSTGRES_URL), bool(explicit)


@contextmanager
def fresh_database(backend: str, directory: Path):
    """Yield the URL of a new, empty database on `backend`, dropped afterwards (skip if unreachable)."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex[:8]}.db'}"
        return

    admin_url, explicit = _postgres_admin_url()
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as exc:
        engine.dispose()
        reason = f"PostgreSQL is not reachable at {make_url(admin_url).render_as_string()} ({exc.orig.__class__.__name__})"
        if explicit:
            pytest.fail(f"{reason}, but HTI_TEST_POSTGRES_URL asks for it")
        pytest.skip(f"{reason}; set HTI_TEST_POSTGRES_URL to run the PostgreSQL tests")
    # A database of its own, so that test runs in several checkouts never touch each other's rows.
    name = f"hti_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def pytest_collection_modifyitems(config, items):
    """Hand out the tests that start processes or servers (marked slow; the longest take a minute) first.

    With several test processes the run ends when the last test ends: a minute-long test handed out last keeps the
    run going while the other processes are idle. Otherwise the order is the files' own."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """Yield the URL of a fresh, empty database for this test session on each backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """Yield the URL of a new, empty database for one test, on each backend."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_database(database_url):
    """Run the real migrations once per backend and load the reference data."""
    from flask_migrate import upgrade

    from hti_comms.geo.services import load_reference_data

    # `make mutation` runs these tests once per mutant: its SQLite database is migrated once, then copied.
    template = os.environ.get("HTI_TEST_SQLITE_TEMPLATE")
    path = Path(make_url(database_url).database or "") if database_url.startswith("sqlite") else None
    if template and path is not None and Path(template).exists():
        shutil.copyfile(template, path)
        return database_url
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        load_reference_data()
        _db.engine.dispose()
    if template and path is not None:
        shutil.copyfile(path, template)
    return database_url


def _reset_tables(keep=("alembic_version", "county", "municipality", "district")) -> None:
    """Empty every table the tests may have written to, and put the reference data back as loaded."""
    from hti_comms.geo.services import reset_districts_to_default

    tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in keep]
    if _db.engine.dialect.name == "postgresql":
        _reset_postgresql_tables([t.name for t in tables])
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()
    reset_districts_to_default()


def _reset_postgresql_tables(names: list[str]) -> None:
    """Empty the tables a test wrote to and restart the id sequences it used, in three round trips.

    Emptying all seventy-odd tables after every test cost about 0.2 s; a test writes to a few.
    """
    if not names:
        return
    held = _db.session.scalars(text(" UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names))).all()
    if held:
        # DELETE, children first (`names` is in that order): on the few rows a test leaves it is far cheaper than
        # TRUNCATE, which makes new files for every table and index it empties.
        held = set(held)
        _db.session.execute(text("; ".join(f'DELETE FROM "{name}"' for name in names if name in held)))
    # Every sequence owned by one of these tables that has handed out a number starts again at 1.
    _db.session.execute(text(
        "SELECT setval(s.oid, 1, false) FROM pg_class s "
        "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "JOIN pg_sequences q ON q.sequencename = s.relname AND q.schemaname = current_schema() "
        "WHERE s.relkind = 'S' AND t.relname = ANY(:names) AND q.last_value IS NOT NULL"), {"names": names})


@pytest.fixture
def app(migrated_database):
    """An app on a migrated database with reference data; tables are emptied after each test."""
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": migrated_database, "SERVER_NAME": None,
                      "BASE_URL": "https://hti.example.se"})

    @app.teardown_request
    def forget_request_globals(_error):
        # In production every request has its own app context, hence its own `g`. Here the test's app context
        # stays open and requests share it: what Flask-Login (the user) and Flask-WTF (the CSRF token) keep in
        # `g` for one request must not leak into the next one, which may come from another client.
        for name in list(g):
            g.pop(name)

    with app.app_context():
        yield app
        _db.session.remove()
        _reset_tables()
        _db.session.remove()
        _db.engine.dispose()
    clock.reset()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    """A client that talks https, as browsers do with the https BASE_URL the tests configure."""
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def staff_user(app):
    """An administrator (every right, as every staff login had before roles) with a second factor tests can use."""
    from tests.helpers import make_staff

    return make_staff("personal@spf.example", name="Karin Personal")


@pytest.fixture
def staff_login(client, staff_user):
    """Return a client logged in as staff, password and code (CSRF is switched off only for this login)."""
    from tests.helpers import log_in_without_csrf

    log_in_without_csrf(client, staff_user.email)
    return client


@pytest.fixture(autouse=True)
def disallow_remote_smtp(monkeypatch):
    """Fail any test that would open an SMTP connection to anything but this machine."""
    original = smtplib.SMTP.connect

    def guarded_connect(self, host="localhost", port=0, source_address=None):
        if host not in LOCAL_HOSTS and not str(host).startswith("127."):
            pytest.fail(f"a test tried to reach the SMTP server {host}:{port}; tests may only use local servers")
        return original(self, host, port, source_address)

    monkeypatch.setattr(smtplib.SMTP, "connect", guarded_connect)


@pytest.fixture
def mail_sink(app):
    """A real aiosmtpd server on 127.0.0.1 with the app's SMTP settings pointed at it."""
    from hti_comms.delivery.sink import SINK_HOST, MemorySink

    sink = MemorySink().start()
    app.config.update(SMTP_HOST=SINK_HOST, SMTP_PORT=sink.port, SMTP_SECURITY="none",
                      SMTP_USERNAME=None, SMTP_PASSWORD=None)
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def reset_clock():
    """Put the clock back after each test, its reference too: an app made on PostgreSQL makes its database the
    process's clock (`dbclock_app.init_app`), and a test whose database is dropped afterwards (a restore, a `make
    run`) would leave the next test of the process a clock that can never be read."""
    reference = clock.reference()
    yield
    clock.reset()
    clock.use_reference(reference)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


CHROMIUM = Path(os.environ.get("HTI_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture
def live_server(app):
    """Serve `app` over real HTTP on a free local port for the length of the test; yield its base URL."""
    import threading

    from werkzeug.serving import make_server

    def buffered(environ, start_response):
        # The whole body is read and the app's iterable closed here. Werkzeug's development server skips the
        # close when the browser resets the connection while it drains the request (a favicon fetched as a page
        # closes), and the open static file would then be reported in whichever test runs next.
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    server = make_server("127.0.0.1", 0, buffered, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium through Playwright, one for the whole session (never a downloaded browser)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; `make test` installs Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium, request):
    """Yield a page in a fresh browser context; a screenshot of its last step goes to tests/output/."""
    context = chromium.new_context(locale="sv-SE")
    page = context.new_page()
    # Every browser test also checks the Content-Security-Policy: a page whose script or style the policy
    # blocks (an inline <script> or style= that crept back in) fails the test that opened it.
    violations = page.csp_violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        yield page
        assert not violations, f"the browser blocked something under the Content-Security-Policy: {violations}"
    finally:
        try:
            from tests.a11y.checks import screenshot

            if page.url != "about:blank":
                screenshot(page, f"{request.node.module.__name__.removeprefix('tests.')}.{request.node.name}",
                           folder="browser")
        except Exception:  # a closed or crashed page has no last step to show
            pass
        context.close()


@pytest.fixture
def lists(app):
    """The starting mailing lists (nyhetsbrev, kurser, lokala-resultat)."""
    from hti_comms.subscribers.services import ensure_default_lists

    ensure_default_lists()


@pytest.fixture
def make_contact(lists):
    """Return a function that adds a confirmed contact (consent given) with one role and place."""
    from hti_comms.subscribers.directory import ContactDetails, add_contact
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.models import LegalBasis

    def make(email, role="council_member:pensionarsrad", municipality="Upplands Väsby", list_keys=("nyhetsbrev",),
             association="", basis=LegalBasis.CONSENT_GIVEN, name="Anna Andersson"):
        place = place_from_choice(role, municipality, association) if role else None
        return add_contact(ContactDetails(email, name, "", list(list_keys)), basis, place, actor="test")
    return make
