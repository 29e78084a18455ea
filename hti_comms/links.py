"""Absolute links that go into emails; the pages behind them belong to the subscribers domain."""
from __future__ import annotations

from flask import current_app

from .tokens import make_token

UNSUBSCRIBE_PURPOSE = "unsubscribe"
PREFERENCES_PURPOSE = "preferences"
#: Paths of the public pages (registered by the subscribers domain under these exact paths).
UNSUBSCRIBE_PATH = "/avregistrera/"
PREFERENCES_PATH = "/installningar/"
#: The public privacy page, linked from every email's footer.
PRIVACY_PATH = "/integritet"


def absolute(path: str) -> str:
    """Return BASE_URL + path."""
    return current_app.config["BASE_URL"] + path


def unsubscribe_token(email: str, list_key: str | None) -> str:
    """Return the signed token of a one-click unsubscribe link (list_key None = every list)."""
    return make_token(UNSUBSCRIBE_PURPOSE, {"e": email.strip().lower(), "l": list_key})


def unsubscribe_url(email: str, list_key: str | None) -> str:
    """Return the List-Unsubscribe URL (RFC 8058): POST unsubscribes at once, GET shows one button."""
    return absolute(UNSUBSCRIBE_PATH + unsubscribe_token(email, list_key))


def preferences_url(email: str) -> str:
    """Return the link to the preference centre of the person with this address."""
    return absolute(PREFERENCES_PATH + make_token(PREFERENCES_PURPOSE, {"e": email.strip().lower()}))
