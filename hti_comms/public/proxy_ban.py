"""Tell the caching proxies in front of the app (Varnish, deploy/varnish/hti.vcl) that public results pages changed.

A municipality page shows the follow-up links and the action plan staff keep, and a change to them must show on
the next request (issue 25), through the proxy too. Varnish may keep a public results page up to its max-age
(`PUBLIC_MAX_AGE`, five minutes), so after every commit that changed what those pages show (the public content
version was raised, or a year's publication moment or result set changed), each proxy in `VARNISH_URLS` is sent
`BAN /resultat`: the VCL forgets every kept public results page, and the next request of each goes to the app,
whose replay layer has already seen the change in the publication state. One request per proxy, on this machine
or the next, with a short timeout: a proxy that cannot be told is logged as an error (its pages may then be up to
`PUBLIC_MAX_AGE` old), the commit itself stands.
"""
from __future__ import annotations

import http.client
import logging
from itertools import chain
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

#: Besides the tables of the public content version (which mark the session through `content_version.bump`).
PUBLICATION_TABLES = frozenset({"result_set", "publication_moment"})
#: Where a session notes that its transaction changed public pages (cleared when told after the commit).
CHANGED = "hti_public_pages_changed"
#: What the VCL forgets on a BAN (it bans by its own rule; this is the address the request names).
BAN_PATH = "/resultat"
#: Seconds to reach a proxy: a staff member's save waits for it.
TIMEOUT_SECONDS = 2


def note_change(session: Session) -> None:
    """Say that the session's transaction changes what public results pages show.

    A transaction rolled back keeps the mark: the session's next commit then bans once more than needed, which
    costs each kept page one rendering, never a page out of date."""
    session.info[CHANGED] = True


def ban(urls: list[str]) -> list[str]:
    """Send `BAN /resultat` to each proxy; return the proxies that could not be told (each logged)."""
    failed = []
    for url in urls:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=TIMEOUT_SECONDS)
        try:
            connection.request("BAN", BAN_PATH)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise OSError(f"answered {response.status} {response.reason}")
        except (OSError, http.client.HTTPException) as error:
            log.error("The caching proxy %s was not told that public pages changed (%s); they may be up to "
                      "five minutes old there", url, error)
            failed.append(url)
        finally:
            connection.close()
    return failed


def _after_flush(session: Session, _flush_context) -> None:
    if any(getattr(item, "__tablename__", None) in PUBLICATION_TABLES
           for item in chain(session.new, session.dirty, session.deleted)):
        note_change(session)


def _after_commit(session: Session) -> None:
    if not session.info.pop(CHANGED, False) or not has_app_context():
        return
    urls = current_app.config.get("VARNISH_URLS") or []
    if urls:
        ban(urls)


def install() -> None:
    """Listen to every ORM session (once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
