"""The signed link that confirms an address (double opt-in).

The link names the contact by their opaque link key (`Contact.link_key`), like every other personal link: it
carries no address, and a changed or erased address (a new key) makes it invalid. It expires after
SUBSCRIBERS_CONFIRM_DAYS, by the application clock.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..links import absolute
from ..tokens import make_personal_token

CONFIRM_PURPOSE = "confirm-subscription"
CONFIRM_PATH = "/bekrafta/"


def confirm_max_age() -> timedelta:
    return timedelta(days=current_app.config["SUBSCRIBERS_CONFIRM_DAYS"])


def confirmation_token(link_key: str, add_lists: list[str] | None = None) -> str:
    """Return the signed confirmation token; with `add_lists`, it adds these lists to a confirmed address."""
    extra = {"l": sorted(add_lists)} if add_lists else {}
    return make_personal_token(CONFIRM_PURPOSE, link_key, confirm_max_age(), **extra)


def confirmation_url(link_key: str, add_lists: list[str] | None = None) -> str:
    return absolute(CONFIRM_PATH + confirmation_token(link_key, add_lists))
