"""A forgotten staff password: a short-lived, single-use link by email to set a new one.

The link is a timed token naming the account and a fingerprint of its current password hash and session
version. Setting a new password (by this link or any other way) or logging out everywhere changes them, so a
link works once and dies with the password it was made for. The answer to "send me a link" is the same whether
or not the address has an account.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app

from ..delivery.owner import Owner
from ..delivery.api import EmailSpec, Recipient, enqueue
from ..extensions import db
from ..links import absolute
from ..tokens import BadToken, make_token, read_token
from .models import StaffUser
from .services import find_staff

RESET_PURPOSE = "staff-password-reset"
RESET_PATH = "/logga-in/nytt-losenord/"


def valid_for() -> timedelta:
    return timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])


def valid_for_in_words() -> str:
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    return "en minut" if minutes == 1 else f"{minutes} minuter"


def _fingerprint(user: StaffUser) -> str:
    """Return what changes when the password does, or when every session is ended (not the hash itself)."""
    return hashlib.sha256(f"{user.password_hash}:{user.session_version}".encode()).hexdigest()[:24]


def reset_token(user: StaffUser) -> str:
    return make_token(RESET_PURPOSE, {"u": user.id, "f": _fingerprint(user)})


def user_of_reset_token(token: str) -> StaffUser | None:
    """Return the enabled account a reset link is for while it is unused and young enough, else None."""
    try:
        payload = read_token(RESET_PURPOSE, token, max_age_seconds=int(valid_for().total_seconds()))
    except BadToken:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(StaffUser, payload["u"])
    if user is None or not user.is_enabled or payload.get("f") != _fingerprint(user):
        return None
    return user


def send_reset_link(email: str) -> None:
    """Queue a reset link to the account with this address, if there is an enabled one; otherwise nothing."""
    user = find_staff(email)
    if user is None or not user.is_enabled:
        return
    spec = EmailSpec(template="auth/password_reset", subject="Nytt lösenord till Hemtjänstindex",
                     context={"valid_for": valid_for_in_words()}, kind="password_reset",
                     owner=Owner.of("auth", "password-reset", user.id))
    enqueue(spec, [Recipient(user.email, user.name, None, {"reset_url": absolute(RESET_PATH + reset_token(user))})])
    db.session.commit()
