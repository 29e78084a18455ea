"""Telling the caching proxies (`hti_comms.public.proxy_ban`): after every commit that changes what public results
pages show, each proxy in VARNISH_URLS is sent `BAN /resultat`, once, and only after the commit. The proxy here is
a real HTTP server that records what it is sent (tests/operations/test_proxy.py does it with Varnish itself)."""
from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.publication.moments import set_publication
from hti_comms.public.proxy_ban import CHANGED
from tests.action_plans.helpers import add
from tests.publication.helpers import PUBLISHED_AT, results_for_2025


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


def test_an_action_plan_change_bans_once_after_its_commit(published, proxy):
    proxy.clear()
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    assert proxy == [("BAN", "/resultat")]
    assert CHANGED not in db.session.info


def test_nothing_is_sent_before_the_commit_nor_for_a_commit_that_changes_no_public_page(published, proxy):
    from hti_comms.action_plans.register import MeasureInput, add_measure

    proxy.clear()
    add_measure(2025, "0115", MeasureInput("information", "ge tydligare information om avgifterna"),
                actor="personal@spf.example")
    db.session.flush()
    assert proxy == []  # flushed, not committed: the proxy keeps what is still true for everyone else
    db.session.commit()
    assert proxy == [("BAN", "/resultat")]
    from hti_comms.geo.models import Municipality

    municipality = db.session.get(Municipality, "0114")  # reference data, kept between tests: put back below
    name = municipality.short_name
    municipality.short_name = f"{name} (prov)"  # not a table of what the public results pages show
    db.session.commit()
    assert proxy == [("BAN", "/resultat")]
    municipality.short_name = name
    db.session.commit()


def test_a_publication_moment_moved_bans(app, proxy):
    results_for_2025()  # the clock a month before the moment
    proxy.clear()
    set_publication(2025, PUBLISHED_AT + timedelta(days=7), actor="test")
    db.session.commit()
    assert proxy == [("BAN", "/resultat")]


def test_without_varnish_urls_nothing_is_sent(published, proxy, app):
    proxy.clear()
    app.config["VARNISH_URLS"] = []
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk")
    assert proxy == []
