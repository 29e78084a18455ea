"""Absolute, personal links that go into emails; the pages behind them belong to the domains that register them.

A personal link names whom it is about with an opaque random key (`Contact.link_key`), never an address, and
is signed (see `hti_comms.tokens`). How long each kind works:

* unsubscribe: until the key is rotated (address changed, person erased). RFC 8058 mail readers and people
  click the link in an old email months later; it can only stop mail, so it must keep working;
* preferences: `PREFERENCES_LINK_DAYS` (90) days from sending; an expired link offers a fresh one by email;
* data export: `DATA_EXPORT_LINK_MINUTES` (60) minutes, and only ever mailed to the address on file.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from .tokens import make_personal_token, new_subject_key

UNSUBSCRIBE_PURPOSE = "unsubscribe"
PREFERENCES_PURPOSE = "preferences"
DATA_EXPORT_PURPOSE = "data-export"
#: Paths of the public pages (registered by the subscribers domain under these exact paths).
UNSUBSCRIBE_PATH = "/avregistrera/"
PREFERENCES_PATH = "/installningar/"
DATA_EXPORT_PATH = "/mina-uppgifter/"
#: The public privacy page, linked from every email's footer.
PRIVACY_PATH = "/integritet"


def _app():
    # The app itself: an attribute read through the `current_app` proxy costs as much as the rest of a link's
    # formatting, and the send worker makes two links for every recipient of a list email.
    return current_app._get_current_object()


def absolute(path: str) -> str:
    """Return BASE_URL + path."""
    return _app().config["BASE_URL"] + path


def personal_url(path: str, purpose: str, subject: str, max_age: timedelta | None, **extra) -> str:
    """Return BASE_URL + path + a personal token for `subject` (see `tokens.make_personal_token`)."""
    return absolute(path + make_personal_token(purpose, subject, max_age, **extra))


def preferences_max_age() -> timedelta:
    return timedelta(days=_app().config["PREFERENCES_LINK_DAYS"])


def data_export_max_age() -> timedelta:
    return timedelta(minutes=current_app.config["DATA_EXPORT_LINK_MINUTES"])


def _subject(link_key: str | None) -> str:
    # Mail to an address that is no contact (a preview, a test message) gets links that lead to "no longer
    # valid" rather than no links: the key matches nobody.
    return link_key or new_subject_key()


def unsubscribe_url(link_key: str | None, list_key: str | None) -> str:
    """Return the List-Unsubscribe URL (RFC 8058): POST unsubscribes at once, GET shows one button.

    A list of a domain's own (its `Domain.unsubscribe_paths`, such as the alerts' "min-kommun") has its page
    there; every other list's is the subscribers domain's.
    """
    path = _app().extensions["hti_domains"].unsubscribe_paths.get(list_key, UNSUBSCRIBE_PATH) \
        if list_key is not None else UNSUBSCRIBE_PATH
    return personal_url(path, UNSUBSCRIBE_PURPOSE, _subject(link_key), None, l=list_key)


def preferences_url(link_key: str | None) -> str:
    """Return the link to the preference centre of the person with this link key."""
    return personal_url(PREFERENCES_PATH, PREFERENCES_PURPOSE, _subject(link_key), preferences_max_age())


def data_export_url(link_key: str) -> str:
    """Return the short-lived link to the page showing everything stored about the person."""
    return personal_url(DATA_EXPORT_PATH, DATA_EXPORT_PURPOSE, link_key, data_export_max_age())
