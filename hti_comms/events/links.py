"""Addresses of the public event pages, the calendar feed and the personal cancel link."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from ..links import absolute, personal_url
from ..tokens import BadToken, read_personal_token

CANCEL_PURPOSE = "event-registration-cancel"
EVENTS_PATH = "/evenemang"
CANCEL_PATH = "/evenemang/avboka/"
FEED_PATH = "/kalender.ics"


def event_path(event_id: int) -> str:
    return f"{EVENTS_PATH}/{event_id}"


def event_url(event_id: int) -> str:
    """Return the absolute address of the event's public page."""
    return absolute(event_path(event_id))


def feed_url() -> str:
    return absolute(FEED_PATH)


def webcal_url() -> str:
    """Return the feed as webcal://, which calendar programs open as a subscription."""
    parts = urlsplit(feed_url())
    return "webcal://" + parts.netloc + parts.path


def calendar_domain() -> str:
    """Return the host that ends every calendar UID we make (RFC 5545 recommends a domain we own)."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "hemtjanstindex.local"


def cancel_url(registration_key: str) -> str:
    """Return the personal cancel link: it names the registration by its random key, never the address or id.

    It works until the registration's key changes (it is cancelled and taken up again, or erased); a link that
    can only give a place away does not need to expire sooner.
    """
    return personal_url(CANCEL_PATH, CANCEL_PURPOSE, registration_key, None)


def read_cancel_token(token: str) -> str | None:
    """Return the registration key inside a cancel link, or None when the link is not genuine."""
    try:
        return read_personal_token(CANCEL_PURPOSE, token).subject
    except BadToken:
        return None
