"""Telling the caching proxies (`hti_comms.public.proxy_ban`): every commit that changes what public results pages
show raises the public content version, and the scheduler's sweep `public.tell_proxies` sends `BAN /resultat` to
each proxy in VARNISH_URLS not yet told of that version, never the committing request. The proxy here is a real
HTTP server that records what it is sent (tests/operations/test_proxy.py does it with Varnish itself)."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.public import proxy_ban
from hti_comms.publication.moments import set_publication
from hti_comms.scheduling.sweeps import load_sweeps
from tests.action_plans.helpers import add
from tests.operations.varnish import tell_proxies
from tests.production import free_port
from tests.publication.helpers import PUBLISHED_AT, results_for_2025

SWEEP = "public.tell_proxies"
BANNED = [("BAN", "/resultat")]


class _Recorder(BaseHTTPRequestHandler):
    def do_BAN(self):  # noqa: N802 - the HTTP method's name
        self.server.received.append((self.command, self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_args):
        pass


@pytest.fixture
def proxy(app):
    """A proxy that records the requests it is sent; VARNISH_URLS names it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["VARNISH_URLS"] = [f"http://127.0.0.1:{server.server_address[1]}"]
    yield server.received
    server.shutdown()
    server.server_close()


@pytest.fixture
def published(app):
    results_for_2025()
    clock.set_now(PUBLISHED_AT + timedelta(hours=1))


def told_so_far(proxy: list) -> None:
    """Run the sweep as the scheduler does after its start (it tells every proxy once), and forget that ban."""
    assert tell_proxies()
    assert proxy == BANNED
    proxy.clear()


def test_the_sweep_is_the_schedulers_every_second(app):
    assert load_sweeps(app)[SWEEP].every_seconds == 1


def test_an_action_plan_change_is_told_by_the_next_sweep_not_by_its_commit(published, proxy):
    told_so_far(proxy)
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    assert proxy == []  # the commit (a staff member's save) never waits for a proxy
    assert tell_proxies()
    assert proxy == BANNED
    assert tell_proxies()
    assert proxy == BANNED  # told once per change


def test_nothing_is_told_of_a_flush_a_rollback_or_a_commit_that_changes_no_public_page(published, proxy):
    from hti_comms.action_plans.register import MeasureInput, add_measure
    from hti_comms.geo.models import Municipality

    told_so_far(proxy)
    add_measure(2025, "0115", MeasureInput("information", "ge tydligare information om avgifterna"),
                actor="personal@spf.example")
    db.session.flush()
    assert tell_proxies() and proxy == []  # flushed, not committed: still true for everyone else
    db.session.rollback()
    assert tell_proxies() and proxy == []  # rolled back: nothing changed
    municipality = db.session.get(Municipality, "0114")  # reference data, kept between tests: put back below
    name = municipality.short_name
    municipality.short_name = f"{name} (prov)"  # not a table of what the public results pages show
    db.session.commit()
    assert tell_proxies() and proxy == []
    municipality = db.session.get(Municipality, "0114")
    municipality.short_name = name
    db.session.commit()


def test_a_publication_moment_moved_is_told(app, proxy):
    results_for_2025()  # the clock a month before the moment
    told_so_far(proxy)
    set_publication(2025, PUBLISHED_AT + timedelta(days=7), actor="test")
    db.session.commit()
    assert proxy == []
    assert tell_proxies() and proxy == BANNED


def test_without_varnish_urls_nothing_is_sent(published, proxy, app):
    app.config["VARNISH_URLS"] = []
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    assert tell_proxies() and proxy == []


def test_a_proxy_that_cannot_be_told_is_logged_and_tried_again_later(published, proxy, app, caplog, monkeypatch):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setattr(proxy_ban, "RETRY_SECONDS", 10**9)  # not tried again in this test's lifetime…
    app.config["VARNISH_URLS"] = [dead, *app.config["VARNISH_URLS"]]
    caplog.set_level(logging.ERROR, logger=proxy_ban.__name__)
    assert tell_proxies()
    assert proxy == BANNED  # the other proxy is told all the same
    assert [record.getMessage() for record in caplog.records if dead in record.getMessage()]
    proxy.clear()
    caplog.clear()
    assert tell_proxies()  # the dead proxy is not asked again yet, the told one has nothing new
    assert proxy == [] and not caplog.records
    monkeypatch.setattr(proxy_ban, "RETRY_SECONDS", 0)  # …until it is
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    assert tell_proxies()
    assert proxy == BANNED and [record for record in caplog.records if dead in record.getMessage()]
