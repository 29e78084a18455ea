"""Cross-site request forgery: a post that changes something counts only when one of our own pages sent it.

Every such post (Flask-WTF's CSRFProtect, with its exemptions, such as the RFC 8058 one-click unsubscribe) must
pass two checks:

1. the form's CSRF token, bound to the visitor's session (Flask-WTF); a new one is issued at every login and
   logout, so that a token someone obtained (or planted with a cookie) before never outlives the session;
2. where the post came from, as the browser says it (`refusal_reason`).

Flask-WTF's own second check (`WTF_CSRF_SSL_STRICT`, off in config.py) demands a Referer on https. Pages whose
URL carries a personal token send `Referrer-Policy: no-referrer` (security.py), so a post from them carries no
Referer, and Chromium and Firefox send `Origin: null` (the Fetch standard's rule for that policy): that check
refused every button on a page reached from an email, in production only. This one reads, in order:

* `Sec-Fetch-Site` (Chromium, Firefox, Safari 16.4 and later; the referrer policy does not touch it):
  `cross-site` and `same-site` (a neighbouring subdomain) are refused;
* `Origin`, when it names an origin: it must be ours;
* `Origin: null` with `Sec-Fetch-Site: same-origin`: a post from one of our own no-referrer pages;
* `Referer`, when there is one: it must be ours;
* nothing of the above (an older browser, such as Safari on an iPad that no longer gets updates, on a
  no-referrer page): the token alone decides. The session cookie is `SameSite=Lax`, so a post that another site
  makes a browser send arrives without the session its token would have to match, and is refused there.

"Ours" is BASE_URL's origin or the origin the request was sent to (its Host, and its scheme as the trusted proxy
reports it). A page of another site can make a browser send neither, and the second keeps development and the
tests working under whatever name the server is reached by.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_login import user_logged_in, user_logged_out
from flask_wtf import csrf as flask_wtf_csrf

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
#: What `Sec-Fetch-Site` says when another site's page (or a neighbouring subdomain's) sent the request.
FOREIGN_FETCH_SITES = ("cross-site", "same-site")


def origin_of(url: str | None) -> tuple[str, str, int] | None:
    """Return (scheme, host, port) of an http(s) URL or Origin header, or None when it names no such origin."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def refusal_reason(headers, our_origins: set) -> str | None:
    """Return why a post looks sent by another site's page (English, for the log), or None when it does not."""
    fetch_site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
    if fetch_site in FOREIGN_FETCH_SITES:
        return f"Sec-Fetch-Site is {fetch_site}"
    origin = (headers.get("Origin") or "").strip()
    if origin and origin != "null":
        return None if origin_of(origin) in our_origins else f"Origin {origin!r} is not ours"
    if fetch_site == "same-origin":
        return None  # Origin: null from one of our own pages with Referrer-Policy: no-referrer
    referrer = headers.get("Referer")
    if referrer:
        return None if origin_of(referrer) in our_origins else "the Referer is not ours"
    return None  # neither: the CSRF token and the SameSite=Lax session cookie decide


def our_origins() -> set:
    """Return the origins our own pages have: BASE_URL's and the one this request was sent to."""
    return {origin_of(current_app.config["BASE_URL"]), origin_of(request.host_url)} - {None}


class CSRFProtect(flask_wtf_csrf.CSRFProtect):
    """Flask-WTF's token check, then where the post came from (refusal_reason), with the same exemptions."""

    def protect(self, apply_exemptions: bool = False) -> None:
        super().protect(apply_exemptions=apply_exemptions)
        # Flask-WTF marks a request whose token it checked; an exempt view or a GET is never marked.
        if not g.get("csrf_valid"):
            return
        reason = refusal_reason(request.headers, our_origins())
        if reason is not None:
            log.info("refused a post to %s from another site: %s", request.path, reason)
            raise flask_wtf_csrf.CSRFError(reason)


def new_token(*_args, **_kwargs) -> None:
    """Forget the session's CSRF token, so that the next form gets a new one (at login and logout)."""
    field_name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field_name, None)
    g.pop(field_name, None)  # Flask-WTF keeps the signed token of this request here


def init_app(app: Flask) -> None:
    """Issue a new CSRF token whenever someone logs in or out of `app` (Flask-Login's signals)."""
    user_logged_in.connect(new_token, sender=app)
    user_logged_out.connect(new_token, sender=app)
