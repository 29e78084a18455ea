"""The steps of a staff login: the password, then the second factor (a code, or setting one up), then logged in.

Between the steps the session holds only a "pending" login naming the account, its session version and when the
password was right: it opens nothing but the next step, for ten minutes. A person whose roles need a second
factor and who has none sets one up before they are logged in (`SECOND_FACTOR_ROLES`, TWO_FACTOR_FOR_EVERYONE).
"""
from __future__ import annotations

from flask import current_app, flash, redirect, session, url_for
from flask_login import login_user

from .. import clock
from ..extensions import db
from .models import StaffUser, needs_second_factor
from .services import record_login

PENDING = "pending_login"
ENROL_SECRET = "enrol_secret"
PENDING_SECONDS = 600


def after_password(user: StaffUser, next_url: str):
    """Continue a login whose password was right: ask for the code, have a second factor set up, or log in."""
    if user.has_second_factor or needs_second_factor(user, everyone=current_app.config["TWO_FACTOR_FOR_EVERYONE"]):
        session[PENDING] = {"u": user.id, "v": user.session_version, "at": int(clock.now().timestamp()),
                            "next": next_url}
        session.pop(ENROL_SECRET, None)
        return redirect(url_for("auth.second_step" if user.has_second_factor else "auth.enrol"))
    return complete(user, next_url)


def pending_user() -> StaffUser | None:
    """Return the account whose login is half done in this session (password right, less than ten minutes ago)."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("u"), int):
        return None
    if int(clock.now().timestamp()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    user = db.session.get(StaffUser, pending["u"])
    if user is None or not user.is_enabled or user.session_version != pending.get("v"):
        return None
    return user


def pending_next() -> str:
    return (session.get(PENDING) or {}).get("next") or url_for("overview.dashboard")


def complete(user: StaffUser, next_url: str):
    """Log the person in (every step done), note it, and go on to where they were going."""
    from . import limits
    from ..stafflog.services import record

    session.pop(PENDING, None)
    session.pop(ENROL_SECRET, None)
    login_user(user)
    record_login(user)
    record("auth.login", "Loggade in", actor=user)
    db.session.commit()
    flash(f"Välkommen, {user.display_name}!", "success")
    return limits.remember_device(redirect(next_url), user)
