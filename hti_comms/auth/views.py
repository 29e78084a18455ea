"""Staff login and logout."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ..extensions import limiter, login_manager
from . import limits, second_factor
from .forms import CodeForm, ForgottenPasswordForm, InvitationForm, LoginForm, NewPasswordForm
from .invitations import INVITATION_PATH, invitation_valid_for, user_of_invitation
from .login_flow import ENROL_SECRET, after_password, complete, pending_next, pending_user
from .models import StaffUser
from .reset import RESET_PATH, send_reset_link, user_of_reset_token, valid_for_in_words
from .services import StaffError, authenticate, change_password, end_sessions, user_of_session

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Logga in för att se sidan."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> StaffUser | None:
    """Return the staff user of a session whose id ("<id>:<version>") is still current, else None."""
    return user_of_session(session_id)


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site: never to another host, never with a line break in it.

    Browsers read a backslash as a slash and drop tabs and line breaks (so "/\\host" and "/<tab>/host" lead to
    another host), and a line break in a Location header is refused by Werkzeug (a server error): a `next`
    holding any of them, or any other control character, is not followed.
    """
    if target and target.startswith("/") and not any(ch < " " or ch in "\x7f\\" for ch in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and not target.startswith("//"):
            return target
    return url_for("overview.dashboard")


@bp.route("/logga-in", methods=["GET", "POST"])
# Three limits, so that guessing is slowed without locking the real owner out (hti_comms/auth/limits.py).
@limiter.limit(limits.account_and_trier_limit, key_func=limits.account_and_trier, methods=["POST"],
               deduct_when=limits.failed, on_breach=limits.warn_owner)
@limiter.limit(limits.address_limit, methods=["POST"], exempt_when=limits.is_known_device)
@limiter.limit(limits.account_limit, key_func=limits.account, methods=["POST"], deduct_when=limits.failed,
               exempt_when=limits.is_known_device, on_breach=limits.warn_owner)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            return after_password(user, _safe_next(request.args.get("next")))
        flash("Fel e-postadress eller lösenord. Försök igen.", "error")
    return render_template("web/auth/login.html", form=form)


# --- The second factor --------------------------------------------------------------------------------------------

def _second_factor_limit() -> str:
    return current_app.config["SECOND_FACTOR_RATE_LIMIT"]


def _pending_account() -> str:
    """Key of the limit on codes: the account being logged in to (only someone with its password gets here)."""
    user = pending_user()
    return f"second-factor:{user.id if user else 'none'}"


def _warn_of_codes(_limit=None) -> None:
    user = pending_user()
    if user is not None:
        from .notices import warn_of_failed_attempts

        warn_of_failed_attempts(user, what="code")


def _back_to_login():
    flash("Inloggningen tog för lång tid eller avbröts. Logga in igen.", "info")
    return redirect(url_for(".login"))


@bp.route("/logga-in/kod", methods=["GET", "POST"])
@limiter.limit(_second_factor_limit, key_func=_pending_account, methods=["POST"], deduct_when=limits.failed,
               on_breach=_warn_of_codes)
def second_step():
    """The code from the person's app (or one of their recovery codes), after the right password."""
    user = pending_user()
    if user is None or not user.has_second_factor:
        return _back_to_login()
    form = CodeForm()
    if form.validate_on_submit():
        code = form.code.data
        if second_factor.use_code(user, code) or (
                second_factor.looks_like_recovery_code(code) and second_factor.use_recovery_code(user, code)):
            return complete(user, pending_next())
        form.code.errors = [*form.code.errors, "Koden stämmer inte eller är redan använd. Skriv den kod appen visar "
                                               "nu, eller en oanvänd reservkod."]
    return render_template("web/auth/second_step.html", form=form)


def _enrolment_secret() -> str:
    """Return the key being set up in this session (made on the first visit, kept until it is confirmed)."""
    if not session.get(ENROL_SECRET):
        session[ENROL_SECRET] = second_factor.new_secret()
    return session[ENROL_SECRET]


@bp.route("/logga-in/tvastegs", methods=["GET", "POST"])
@limiter.limit(_second_factor_limit, key_func=_pending_account, methods=["POST"], deduct_when=limits.failed)
def enrol():
    """Set up the second factor a person's roles need, before they are logged in for the first time with them."""
    user = pending_user()
    if user is None:
        return _back_to_login()
    if user.has_second_factor:
        return redirect(url_for(".second_step"))
    secret = _enrolment_secret()
    form = CodeForm()
    if form.validate_on_submit():
        codes = second_factor.confirm_enrolment(user, secret, form.code.data)
        if codes is not None:
            next_url = pending_next()
            complete(user, next_url)
            return render_template("web/auth/recovery_codes.html", codes=codes, next_url=next_url)
        form.code.errors = [*form.code.errors, "Koden stämmer inte. Skriv den sexsiffriga kod appen visar just nu."]
    return render_template("web/auth/second_factor_setup.html", form=form,
                           enrolment=second_factor.enrolment(user, secret), required=True)


# --- An invitation -------------------------------------------------------------------------------------------------

@bp.route(INVITATION_PATH + "<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
def invitation(token: str):
    """Choose a password from an administrator's invitation (then set up the second factor if the roles need it)."""
    user = user_of_invitation(token)
    if user is None:
        return render_template("web/auth/invitation_bad.html", valid_for=invitation_valid_for()), 400
    form = InvitationForm()
    if form.validate_on_submit():
        try:
            # A password hash and a new session version: the invitation link dies here.
            change_password(user, form.new_password.data)
        except StaffError as exc:
            form.new_password.errors.append(str(exc))
        else:
            logout_user()
            return after_password(user, url_for("overview.dashboard"))
    return render_template("web/auth/invitation.html", form=form, user=user)


@bp.route("/logga-ut", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        from ..stafflog.services import record

        record("auth.logout", "Loggade ut", actor=current_user)
        end_sessions(current_user)
    session.pop("pending_login", None)
    logout_user()
    flash("Du är utloggad.", "info")
    return redirect(url_for("auth.login"))


# --- A forgotten password --------------------------------------------------------------------------------------------

def _reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _reset_account() -> str:
    """Key of the per-account limit: requests for one address count together, from whatever address."""
    return "reset:" + (request.form.get("email") or "").strip().lower()


@bp.route("/logga-in/glomt-losenord", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, key_func=_reset_account, methods=["POST"])
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        send_reset_link(form.email.data)
        # The same page whether or not the address has an account, so that it never tells which exist.
        return render_template("web/auth/reset_sent.html", email=form.email.data.strip(),
                               valid_for=valid_for_in_words())
    return render_template("web/auth/forgotten_password.html", form=form)


@bp.route(RESET_PATH + "<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str):
    user = user_of_reset_token(token)
    if user is None:
        return render_template("web/auth/reset_link_bad.html", valid_for=valid_for_in_words()), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            # A new hash and session version: this link (and every session) ends here.
            change_password(user, form.new_password.data)
        except StaffError as exc:
            form.new_password.errors.append(str(exc))
        else:
            logout_user()
            flash("Lösenordet är bytt. Logga in med ditt nya lösenord.", "success")
            return redirect(url_for(".login"))
    return render_template("web/auth/reset_password.html", form=form, user=user)
