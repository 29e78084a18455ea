"""Staff login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ..extensions import limiter, login_manager
from .forms import LoginForm
from .models import StaffUser
from .services import authenticate, end_sessions, user_of_session

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Logga in för att se sidan."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> StaffUser | None:
    """Return the staff user of a session whose id ("<id>:<version>") is still current, else None."""
    return user_of_session(session_id)


def _safe_next(target: str | None) -> str:
    """Only follow `next` within this site, never to another host."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("overview.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/logga-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(f"Välkommen, {user.display_name}!", "success")
            return redirect(_safe_next(request.args.get("next")))
        flash("Fel e-postadress eller lösenord. Försök igen.", "error")
    return render_template("web/auth/login.html", form=form)


@bp.route("/logga-ut", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_sessions(current_user)
    logout_user()
    flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))
