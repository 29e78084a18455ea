"""Slowing password guessing at the staff login without handing anyone a lockout of the real owner.

A limit per account "from any address" lets anyone lock a staff member out with a few wrong passwords. Instead:

- **Per account and trier** (`LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT`, failed tries only): the guesses one client address
  (or one known device, below) makes at one account. This is what slows an attacker down.
- **Per client address** (`LOGIN_RATE_LIMIT`, every try): one address spraying many accounts.
- **Per account, slower** (`LOGIN_ACCOUNT_RATE_LIMIT`, failed tries only): what many addresses together (a botnet)
  may guess at one account. Its numbers are above what one address may do under the first limit, so a single
  address can never use it up.
- **Known devices:** a successful login leaves a signed cookie naming the account and a random device id
  (`DEVICE_COOKIE`, sent only to the login page). A browser that carries it for the account being tried is exempt
  from the two limits other people's guesses can use up (per address and per account) and is counted on its own
  under the first one. However many addresses guess, the owner logs in from a browser they used before; a stolen
  cookie gives no password and is still limited on its own.
- **The owner is told:** when a limit on their account is reached, they get one email a day through the outbox.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Response, current_app, g, request
from flask_limiter.util import get_remote_address
from ..tokens import BadToken, make_token, read_token
from .models import StaffUser
from .services import find_staff

DEVICE_COOKIE = "hti_enhet"
DEVICE_PURPOSE = "staff-login-device"
DEVICE_DAYS = 365


def tried_account() -> str:
    return (request.form.get("email") or "").strip().lower()


def _known_device() -> str | None:
    """Return the id of the known device this request comes from, if its cookie names the account being tried."""
    if "login_device" not in g:
        g.login_device = None
        token = request.cookies.get(DEVICE_COOKIE)
        user = find_staff(tried_account()) if token else None
        if user is not None:
            try:
                payload = read_token(DEVICE_PURPOSE, token, max_age_seconds=DEVICE_DAYS * 24 * 3600)
            except BadToken:
                payload = None
            if isinstance(payload, dict) and payload.get("u") == user.id and isinstance(payload.get("d"), str):
                g.login_device = payload["d"]
    return g.login_device


def is_known_device() -> bool:
    """`exempt_when` of the limits that other people's guesses could use up."""
    return _known_device() is not None


def account_and_trier() -> str:
    """Key of the per-account-and-trier limit: the known device, or else the client address."""
    device = _known_device()
    return f"login:{tried_account()}:" + (f"device:{device}" if device else f"address:{get_remote_address()}")


def account() -> str:
    return f"login-account:{tried_account()}"


def address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def account_and_trier_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT"]


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def failed(response: Response) -> bool:
    """`deduct_when`: only a try the login page answered counts (the form comes back: wrong password).

    A successful login redirects; a try refused by a limit (429) or without its form token (400) never reached
    the password check, and counting it would let one address use up the per-account limit after all.
    """
    return response.status_code == 200


def warn_owner(_limit=None) -> None:
    """`on_breach` of the limits on an account: tell its owner by email, at most once a (Stockholm) day."""
    user = find_staff(tried_account())
    if user is not None:
        from .notices import warn_of_failed_attempts

        warn_of_failed_attempts(user)
    return None


def remember_device(response: Response, user: StaffUser) -> Response:
    """After a successful login: mark this browser as a known device of the account (see the module docstring)."""
    device = _known_device() or secrets.token_urlsafe(12)
    response.set_cookie(DEVICE_COOKIE, make_token(DEVICE_PURPOSE, {"u": user.id, "d": device}),
                        max_age=int(timedelta(days=DEVICE_DAYS).total_seconds()), path="/logga-in",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")
    return response
