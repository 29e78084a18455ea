"""Tell the caching proxies in front of the app (Varnish, deploy/varnish/hti.vcl) that public results pages changed.

A municipality page shows the follow-up links and the action plan staff keep, and a change to them must show
through the proxy too (issue 25). Varnish may keep a public results page up to its max-age (`PUBLIC_MAX_AGE`, five
minutes), so each proxy in `VARNISH_URLS` is sent `BAN /resultat` after every commit that changed what those pages
show: the VCL forgets every kept public results page, and the next request of each goes to the app, whose replay
layer has already seen the change in the publication state.

Not from the committing process: a staff member's save would wait for every proxy (up to `TIMEOUT_SECONDS` for
one that does not answer), and nothing slow happens inside a web request. Every such commit raises the public
content version in its own transaction (`content_version`: follow-up links, action plans, result sets and
publication moments), and the sweep `public.tell_proxies`, run by the one scheduler every second, sends the ban
to each proxy that has not been told of the version in the database yet. So a change shows through the proxy
within about a second of its commit, whichever process made it (a staff page, a command), a transaction rolled
back tells no one (its raised version went with it), and a scheduler that starts tells every proxy once (it
cannot know what it missed). A proxy that cannot be told is logged as an error and tried again after
`RETRY_SECONDS` (its pages may meanwhile be up to `PUBLIC_MAX_AGE` old); a stopped scheduler shows on /healthz.
"""
from __future__ import annotations

import http.client
import logging
import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..scheduling.sweeps import sweep
from .models import PublicContentVersion

log = logging.getLogger(__name__)

#: What the VCL forgets on a BAN (it bans by its own rule; this is the address the request names).
BAN_PATH = "/resultat"
#: Seconds to reach a proxy (the scheduler's sweep waits for it, never a web request).
TIMEOUT_SECONDS = 2
#: Seconds before a proxy that could not be told is tried again (a dead one must not slow every sweep).
RETRY_SECONDS = 30
#: Where the app keeps, per proxy, the content version it was last told of and when telling it last failed.
TOLD = "hti_proxies_told"
#: The version of a proxy never told (differs from every version, None included).
_NEVER = object()


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


@sweep("public.tell_proxies", every_seconds=1)
def tell_proxies() -> list[str]:
    """Send `BAN /resultat` to each proxy not yet told of the current public content version; return those told."""
    urls = current_app.config.get("VARNISH_URLS") or []
    if not urls:
        return []
    version = db.session.scalar(select(PublicContentVersion.version).where(PublicContentVersion.id == 1))
    db.session.rollback()  # nothing to write: hold no transaction while the proxies answer
    told: dict[str, tuple[object, float]] = current_app.extensions.setdefault(TOLD, {})
    moment = time.monotonic()
    due = [url for url in urls
           if url not in told or (told[url][0] != version and moment - told[url][1] >= RETRY_SECONDS)]
    failed = set(ban(due))
    for url in due:
        # A failed proxy keeps its old version (still due) and the moment of the failure (tried again later).
        told[url] = (told[url][0] if url in told else _NEVER, moment) if url in failed else (version, float("-inf"))
    return [url for url in due if url not in failed]
