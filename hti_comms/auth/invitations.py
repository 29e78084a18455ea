"""Invitations to a staff account: a single-use link, valid STAFF_INVITATION_HOURS (72), to choose a password.

The link is a timed token naming the account and a fingerprint of its password hash and session version (as a
password reset link is): choosing the password changes them, so the link works once. An administrator can send a
new invitation while the person has not answered; the older link then still works until it expires or is used.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app

from ..extensions import db
from ..links import absolute
from ..tokens import BadToken, make_token, read_token
from .models import StaffUser
from .notices import send_invitation
from .roles import roles_sentence

INVITATION_PURPOSE = "staff-invitation"
INVITATION_PATH = "/logga-in/inbjudan/"


def valid_for() -> timedelta:
    return timedelta(hours=current_app.config["STAFF_INVITATION_HOURS"])


def invitation_valid_for() -> str:
    hours = current_app.config["STAFF_INVITATION_HOURS"]
    return "en timme" if hours == 1 else f"{hours} timmar"


def _fingerprint(user: StaffUser) -> str:
    return hashlib.sha256(f"invite:{user.password_hash}:{user.session_version}".encode()).hexdigest()[:24]


def invitation_url(user: StaffUser) -> str:
    return absolute(INVITATION_PATH + make_token(INVITATION_PURPOSE, {"u": user.id, "f": _fingerprint(user)}))


def user_of_invitation(token: str) -> StaffUser | None:
    """Return the enabled account an unused, unexpired invitation is for, else None."""
    try:
        payload = read_token(INVITATION_PURPOSE, token, max_age_seconds=int(valid_for().total_seconds()))
    except BadToken:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = db.session.get(StaffUser, payload["u"])
    if user is None or not user.is_enabled or user.has_accepted_invitation or payload.get("f") != _fingerprint(user):
        return None
    return user


def invite(user: StaffUser, *, invited_by: StaffUser) -> None:
    """Email the person a fresh invitation link (in the caller's transaction)."""
    from .. import clock

    user.invited_at = clock.now()
    send_invitation(user, invited_by=invited_by.display_name, url=invitation_url(user),
                    valid_for=invitation_valid_for(), roles=roles_sentence(user.roles).lower())
