"""The contact behind a link in an email, and fresh links sent to the address on file.

A link names the contact by `Contact.link_key` (see `hti_comms.links`). Opening one gives a state the page acts
on: valid; expired (genuine, so a fresh link can be sent to the address on file, never to whoever clicked);
gone (genuine, but the key was rotated or the person erased); or invalid (forged, cut short, another purpose).

Links mailed before link keys carried the address (`{"e": address}`, timed tokens). For a transition they
still count: an old **unsubscribe** link works if it was sent at most `LEGACY_UNSUBSCRIBE_DAYS` ago (stopping
mail is harmless and mail readers click late); an old **preference** link is treated as expired, so its
holder can have a fresh link sent to the address on file but never sees the page. No old-style link is made
any more, so this window closes by itself; remove the `_legacy_` functions once it has.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..delivery.owner import Owner
from ..addresses import lookup_form
from ..delivery.api import EmailSpec, Recipient, enqueue
from ..extensions import db
from ..links import PREFERENCES_PURPOSE, UNSUBSCRIBE_PURPOSE, data_export_max_age, data_export_url
from ..tokens import BadToken, read_personal_token, read_token
from .models import Contact

#: How long after sending an old-style unsubscribe link (carrying the address) still works.
LEGACY_UNSUBSCRIBE_DAYS = 180


class LinkState(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    GONE = "gone"
    INVALID = "invalid"


@dataclass(frozen=True)
class OpenedLink:
    state: LinkState
    contact: Contact | None = None
    #: What the link carries besides the person, e.g. {"l": "nyhetsbrev"} for an unsubscribe link.
    extra: dict[str, Any] = field(default_factory=dict)


def contact_by_link_key(link_key: str) -> Contact | None:
    return db.session.scalar(select(Contact).where(Contact.link_key == link_key))


def _by_address(email: Any) -> Contact | None:
    if not isinstance(email, str):
        return None
    return db.session.scalar(select(Contact).where(Contact.email == lookup_form(email)))


def open_link(purpose: str, token: str) -> OpenedLink:
    """Return the state of a personal link made for `purpose` and the contact it names."""
    try:
        personal = read_personal_token(purpose, token)
    except BadToken as error:
        if not error.expired:
            return _legacy_link(purpose, token)
        contact = contact_by_link_key(error.subject)
        return OpenedLink(LinkState.EXPIRED if contact else LinkState.GONE, contact)
    contact = contact_by_link_key(personal.subject)
    if contact is None:
        return OpenedLink(LinkState.GONE)
    return OpenedLink(LinkState.VALID, contact, personal.extra)


def _legacy_link(purpose: str, token: str) -> OpenedLink:
    """Read a link mailed before link keys (the address inside), as the module docstring says."""
    if purpose not in (UNSUBSCRIBE_PURPOSE, PREFERENCES_PURPOSE):
        return OpenedLink(LinkState.INVALID)
    max_age = LEGACY_UNSUBSCRIBE_DAYS * 86400 if purpose == UNSUBSCRIBE_PURPOSE else None
    try:
        payload = read_token(purpose, token, max_age_seconds=max_age)
    except BadToken as error:
        # Too old even for the transition: genuine, but no longer valid (and no key to send a fresh link for).
        return OpenedLink(LinkState.GONE if error.expired else LinkState.INVALID)
    if not isinstance(payload, dict) or "e" not in payload:
        return OpenedLink(LinkState.INVALID)
    contact = _by_address(payload["e"])
    if contact is None:
        return OpenedLink(LinkState.GONE)
    if purpose == PREFERENCES_PURPOSE:
        return OpenedLink(LinkState.EXPIRED, contact)
    return OpenedLink(LinkState.VALID, contact, {"l": payload.get("l")})


def _duration_sv(delta: timedelta) -> str:
    """Return e.g. "en timme", "2 timmar" or "30 minuter" for a link's lifetime."""
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return "en timme" if hours == 1 else f"{hours} timmar"
    return "en minut" if minutes == 1 else f"{minutes} minuter"


def send_preferences_link(contact: Contact) -> None:
    """Email a fresh preference link to the contact's address on file, and commit."""
    spec = EmailSpec(template="subscribers/preferences_link", subject="Din länk för att ändra dina val",
                     context={}, kind="preferences_link",
                     owner=Owner.of("subscribers", "preferences-link", contact.id))
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id, link_key=contact.link_key)])
    db.session.commit()


def send_data_export_link(contact: Contact) -> str:
    """Email a short-lived link to everything stored about the contact, to the address on file; commit.

    Return how long the link works, in Swedish words ("en timme").
    """
    valid_for = _duration_sv(data_export_max_age())
    spec = EmailSpec(template="subscribers/data_export_link", subject="Dina sparade uppgifter hos Hemtjänstindex",
                     context={"valid_for": valid_for}, kind="data_export_link",
                     owner=Owner.of("subscribers", "data-export-link", contact.id))
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id,
                             {"data_url": data_export_url(contact.link_key)}, link_key=contact.link_key)])
    db.session.commit()
    return valid_for

