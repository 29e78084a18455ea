"""The staff side: blueprints whose every route needs a logged-in staff member, and the role each action needs.

Every staff route declares what it needs next to itself, so a new route cannot forget:

- reading (GET) needs a login, or the role the blueprint names with `read=` (the publication pages need
  `publicering`, the staff accounts `administrator`);
- every route that accepts a POST declares the role its action needs and what the action is called in the staff
  log, with `@needs(Role.UTSKICK, "Pausade ett utskick")` (or `needs(LOGIN, …)` for anyone logged in);
  `get=True` makes the role apply to GET too (a page whose only purpose is the action, such as the send form).

A POST route without a declaration answers 403 (and `tests/auth/test_roles.py` fails, naming it). A person whose
roles need a second factor they have not set up is sent to set it up first. Templates ask `may(endpoint)` to
leave out (or disable, with `why_not(endpoint)`) a button the person cannot use.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_login import current_user

from .auth.roles import Role

ADMIN_PREFIX = "/admin"
#: For `needs(LOGIN, …)`: any logged-in staff member.
LOGIN = None
READING = ("GET", "HEAD", "OPTIONS")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    """What one route's action needs: a role (None: a login) and the words the staff log uses for it."""

    role: Role | None
    action: str
    #: The role applies to reading the page too, not only to its POST.
    on_get: bool = False


class Undeclared(LookupError):
    """A staff route accepts a POST but declares no role for it."""


def needs(role: Role | None, action: str, *, get: bool = False):
    """Declare the role a staff route's POST (and with `get=True` its GET) needs, and its name in the staff log."""
    def decorate(view):
        view.staff_access = Access(role, action, get)
        return view
    return decorate


def staff_blueprint(name: str, import_name: str, url_prefix: str = "", *, read: Role | None = None,
                    under_admin: bool = True) -> Blueprint:
    """Return a blueprint (under /admin unless `under_admin=False`) whose every route needs a staff login.

    `read`: the role needed to read its pages (None: any logged-in staff member).
    """
    blueprint = Blueprint(name, import_name, url_prefix=(ADMIN_PREFIX if under_admin else "") + url_prefix)
    blueprint.staff_read_role = read
    blueprint.is_staff = True

    @blueprint.before_request
    def require_staff():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if must_set_up_second_factor(current_user) and request.endpoint != SECOND_FACTOR_ENDPOINT:
            return redirect(url_for(SECOND_FACTOR_ENDPOINT))
        try:
            needed = required_role(request.endpoint, request.method)
        except Undeclared:
            log.error("%s %s declares no role for its action; refused", request.method, request.path)
            abort(403)
        if not current_user.may(needed):
            abort(403)
        g.flashes_before = len(session.get("_flashes", ()))
        g.staff_guard_passed = True
        return None

    @blueprint.after_request
    def log_action(response):
        if request.method not in READING and g.get("staff_guard_passed") and _succeeded(response):
            access = access_of(request.endpoint)
            if access is not None and access.action and not g.get("staff_log_written"):
                from .extensions import db
                from .stafflog.services import describe_target, record

                record(request.endpoint, access.action, target=describe_target(request.view_args))
                db.session.commit()
        return response

    return blueprint


def _succeeded(response) -> bool:
    """Return whether a staff POST did what it was for: it redirected (or sent a file), with no error flashed.

    A form with mistakes is shown again (200, or 400) and a refused action flashes an error; neither is logged.
    """
    if response.status_code >= 400:
        return False
    if response.status_code < 300 and response.mimetype == "text/html":
        return False
    new_flashes = session.get("_flashes", ())[g.get("flashes_before", 0):]
    return not any(category == "error" for category, _message in new_flashes)


SECOND_FACTOR_ENDPOINT = "account.second_factor_page"


def must_set_up_second_factor(user) -> bool:
    """Return whether the logged-in person's roles need a second factor they have not set up yet."""
    from .auth.models import needs_second_factor

    return not user.has_second_factor and needs_second_factor(
        user, everyone=current_app.config["TWO_FACTOR_FOR_EVERYONE"])


def is_staff_endpoint(endpoint: str | None, app=None) -> bool:
    app = app or current_app
    blueprint = app.blueprints.get((endpoint or "").rpartition(".")[0])
    return bool(getattr(blueprint, "is_staff", False))


def access_of(endpoint: str, app=None) -> Access | None:
    """Return the declaration of a route's action, or None when it has none."""
    app = app or current_app
    return getattr(app.view_functions.get(endpoint), "staff_access", None)


def required_role(endpoint: str, method: str, app=None) -> Role | None:
    """Return the role a staff route needs for `method` (None: a login); raise Undeclared for a bare POST."""
    app = app or current_app
    access = access_of(endpoint, app)
    if method in READING:
        if access is not None and access.on_get:
            return access.role
        return getattr(app.blueprints.get(endpoint.rpartition(".")[0]), "staff_read_role", None)
    if access is None:
        raise Undeclared(endpoint)
    return access.role


def may(endpoint: str, method: str = "POST") -> bool:
    """Return whether the logged-in person may use a staff route (for templates: show the button or not)."""
    if not current_user.is_authenticated:
        return False
    try:
        return current_user.may(required_role(endpoint, method))
    except Undeclared:
        return False


def why_not(endpoint: str, method: str = "POST") -> str:
    """Return the Swedish reason a button is disabled: the role it needs."""
    try:
        role = required_role(endpoint, method)
    except Undeclared:
        role = Role.ADMINISTRATOR
    return f"Det här kan bara den som har rollen {role.label if role else 'personal'} göra."


def init_app(app) -> None:
    """Give every template `may()` and `why_not()`."""
    app.jinja_env.globals.update(may=may, why_not=why_not)
