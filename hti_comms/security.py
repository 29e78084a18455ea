"""Security headers on every response: CSP without inline script or style, no sniffing, no framing, HSTS.

A few lines of `after_request` rather than Flask-Talisman: the policy is one fixed string (no nonces, since no
page has inline script or style), HTTPS is decided by BASE_URL rather than by the request (the app runs behind
a TLS proxy), and Talisman's HTTPS redirect and cookie handling would duplicate what config.py already sets.

Two kinds of response get something else:
* pages whose URL carries a personal token (a route variable named `token`) are sent with
  `Referrer-Policy: no-referrer` and `Cache-Control: no-store`, so the token never leaves in a Referer header
  nor stays in a shared cache (their buttons therefore post without a Referer: forgery.py checks where a post
  came from without needing one);
* an email shown to staff inside a page is its own document (`email_document`), framed by our own pages only:
  emails are not pages, their inline styles are allowed there and nothing else is (no script, no requests).
"""
from __future__ import annotations

from flask import Flask, Response, request

PAGE_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-src 'self'",
    "frame-ancestors 'none'",
))
EMAIL_DOCUMENT_POLICY = "; ".join((
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src data:",
    "frame-ancestors 'self'",
    "sandbox",
))
#: One year; only sent when BASE_URL is https (browsers ignore it over http, but it must never be wrong).
HSTS = "max-age=31536000"


def email_document(html: str) -> Response:
    """Return an email's HTML as a document for an <iframe> on a staff page, with the email's own policy."""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_DOCUMENT_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def is_token_page() -> bool:
    """Return whether the current request's URL carries a personal token."""
    return bool(request.view_args and "token" in request.view_args)


def init_app(app: Flask) -> None:
    """Add the security headers to every response of `app`."""
    is_https = app.config["BASE_URL"].startswith("https://")

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if is_token_page():
            headers["Referrer-Policy"] = "no-referrer"
            headers["Cache-Control"] = "no-store"
        else:
            headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if is_https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
