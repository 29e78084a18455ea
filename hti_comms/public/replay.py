"""Public results answered again without Flask: the kept response for the same address and publication state.

A public results page of a public year is the same for every visitor without a cookie until the publication
state changes (a year becomes public, is postponed or re-imported). Flask makes such a page once and keeps it
(`pagecache`), but every request still passes through the whole of Flask (session, CSRF, login, hooks) before
the kept page is found: most of a request's time. This WSGI layer in front of Flask answers those requests
itself, from the response Flask gave for the same address:

* every request first reads the publication state from the database and judges it against the clock
  (`publication_state`), exactly as the Flask view does: the embargo check is never skipped or cached;
* a kept response is used only when it was made under the same publication state (`public_version`, which
  names every public year with its publication moment and data version), so a year that is not public now
  can never be answered from a response made while it was; a postponement or a re-import is a new state;
* only responses the view marked as the same for every visitor are kept (`mark_replayable`): 200, no
  message for this visitor only, no cookie set. A request with a cookie (a signed-in staff member, a visitor
  with a session) always goes to Flask;
* `Cache-Control` is worked out again on every answer (its max-age never runs past the next publication).

Anything else (another method or address, a cookie, a state the database cannot give) goes to Flask as before.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, request

from ..operations.counters import count_public_page
from ..results.publication import PublicationState, publication_state

log = logging.getLogger(__name__)

#: Where a view leaves the publication state its response was made under (see `mark_replayable`).
ENVIRON_KEY = "hti_comms.replayable_under"
#: Responses kept per process (each is one address with its query and encoding).
MAX_RESPONSES = 2048
#: The addresses of the pages that may be kept (the views decide, these only spare the others a lookup).
PREFIXES = ("/resultat", "/api/resultat", "/sitemap.xml")


def mark_replayable(state: PublicationState) -> None:
    """Say that the response being made is the same for everyone without a cookie under `state`."""
    request.environ[ENVIRON_KEY] = state


@dataclass(frozen=True)
class Kept:
    public_version: tuple
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Replay:
    """The WSGI layer; `cache_control(state)` gives the Cache-Control header for an answer under `state`."""

    def __init__(self, app: Flask, wsgi_app: Callable, cache_control: Callable[[PublicationState], str],
                 size: int = MAX_RESPONSES) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache_control = cache_control
        self.size = size
        self._kept: OrderedDict[tuple, Kept] = OrderedDict()
        self._lock = threading.Lock()
        self._engine = None
        self.answered = 0  # answers given here without Flask (for tests and curiosity)

    def __len__(self) -> int:
        return len(self._kept)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith(PREFIXES):
            return self.wsgi_app(environ, start_response)
        if environ.get("HTTP_COOKIE"):
            count_public_page("flask")
            return self.wsgi_app(environ, start_response)
        key = (path, environ.get("QUERY_STRING", ""), "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""))
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None:
            state = self._state()
            if state is not None and state.public_version == kept.public_version:
                with self._lock:
                    self._kept.move_to_end(key)
                    self.answered += 1
                start_response(kept.status, [*kept.headers, ("Cache-Control", self.cache_control(state))])
                count_public_page("replay")
                return [kept.body]
        count_public_page("flask")
        return self._through_flask(key, environ, start_response)

    def _state(self) -> PublicationState | None:
        """Read the publication state now (as the views do); None when the database cannot answer."""
        try:
            if self._engine is None:
                with self.app.app_context():
                    from ..extensions import db

                    self._engine = db.engine
            return publication_state(engine=self._engine)
        except Exception:  # noqa: BLE001 - Flask answers instead, with its own error page
            log.debug("Publication state not readable outside Flask; the request goes to Flask", exc_info=True)
            return None

    def _through_flask(self, key: tuple, environ: dict, start_response: Callable) -> Iterable[bytes]:
        answer: dict = {}

        def capture(status: str, headers: list, exc_info=None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body_parts = self.wsgi_app(environ, capture)
        state = environ.get(ENVIRON_KEY)
        if state is None or not answer.get("status", "").startswith("200"):
            return body_parts
        try:
            body = b"".join(body_parts)
        finally:
            if hasattr(body_parts, "close"):
                body_parts.close()
        headers = tuple((name, value) for name, value in answer["headers"] if name.lower() != "cache-control")
        if not any(name.lower() == "set-cookie" for name, _value in headers):
            with self._lock:
                self._kept[key] = Kept(state.public_version, answer["status"], headers, body)
                self._kept.move_to_end(key)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return [body]


def install(app: Flask, cache_control: Callable[[PublicationState], str]) -> Replay:
    """Put the layer in front of `app`'s WSGI app (and of a proxy fix: nothing here reads the client's address)."""
    replay = Replay(app, app.wsgi_app, cache_control)
    app.wsgi_app = replay
    app.extensions["hti_replay"] = replay
    return replay
