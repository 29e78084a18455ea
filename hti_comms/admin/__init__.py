"""The staff side: every blueprint made here requires a logged-in staff user."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

ADMIN_PREFIX = "/admin"

#: The staff menu: (endpoint, Swedish label), in the order shown. Domains add to it in create_app().
MENU: list[tuple[str, str]] = []


def staff_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """Return a blueprint under /admin whose every route requires staff login."""
    blueprint = Blueprint(name, import_name, url_prefix=ADMIN_PREFIX + url_prefix)

    @blueprint.before_request
    @login_required
    def require_staff():
        return None

    return blueprint


def add_menu_item(endpoint: str, label: str) -> None:
    """Show a link in the staff menu (once, however many apps are created)."""
    if (endpoint, label) not in MENU:
        MENU.append((endpoint, label))
