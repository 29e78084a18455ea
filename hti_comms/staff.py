"""The staff side: blueprints under /admin whose every route requires a logged-in staff user."""
from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

ADMIN_PREFIX = "/admin"


def staff_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """Return a blueprint under /admin whose every route requires staff login."""
    blueprint = Blueprint(name, import_name, url_prefix=ADMIN_PREFIX + url_prefix)

    @blueprint.before_request
    @login_required
    def require_staff():
        return None

    return blueprint
