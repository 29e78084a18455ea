"""A logged-in staff member's own account: a new password (which ends every other session) and the second factor."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from ..extensions import db
from ..staff import LOGIN, needs, staff_blueprint
from ..stafflog.services import record
from . import second_factor
from .forms import CodeForm, PasswordForm
from .login_flow import ENROL_SECRET
from .services import StaffError, change_password, check_password

bp = staff_blueprint("account", __name__, "/konto", under_admin=False)


@bp.route("/losenord", methods=["GET", "POST"])
@needs(LOGIN, "Bytte lösenord")
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.current_password.data):
            form.current_password.errors.append("Det är inte ditt nuvarande lösenord.")
        else:
            try:
                change_password(current_user, form.new_password.data)
            except StaffError as exc:
                form.new_password.errors.append(str(exc))
            else:
                # Every session ended with the old password; this one continues under the new session version.
                login_user(current_user._get_current_object())
                flash("Lösenordet är bytt. Du är utloggad på alla andra datorer och telefoner.", "success")
                return redirect(url_for("overview.dashboard"))
    return render_template("web/auth/password.html", form=form)


@bp.route("/tvastegsverifiering", methods=["GET", "POST"])
@needs(LOGIN, "Ställde in tvåstegsverifiering")
def second_factor_page():
    """Set up the second factor (required by some roles, possible for all), or make new recovery codes."""
    user = current_user._get_current_object()
    form = CodeForm()
    if user.has_second_factor:
        if request.method == "POST" and request.form.get("what") == "new-codes" and form.validate_on_submit():
            if not second_factor.use_code(user, form.code.data):
                form.code.errors = [*form.code.errors, "Koden stämmer inte eller är redan använd."]
            else:
                codes = second_factor.new_recovery_codes(user)
                record("auth.recovery_codes", "Skapade nya reservkoder", actor=user)
                db.session.commit()
                return render_template("web/auth/recovery_codes.html", codes=codes,
                                       next_url=url_for(".second_factor_page"))
        return render_template("web/auth/second_factor.html", form=form,
                               unused=second_factor.unused_recovery_codes(user))
    if not session.get(ENROL_SECRET):
        session[ENROL_SECRET] = second_factor.new_secret()
    secret = session[ENROL_SECRET]
    if form.validate_on_submit():
        codes = second_factor.confirm_enrolment(user, secret, form.code.data)
        if codes is not None:
            session.pop(ENROL_SECRET, None)
            login_user(user)  # setting it up ended every session; this one goes on
            return render_template("web/auth/recovery_codes.html", codes=codes,
                                   next_url=url_for("overview.dashboard"))
        form.code.errors = [*form.code.errors, "Koden stämmer inte. Skriv den sexsiffriga kod appen visar just nu."]
    return render_template("web/auth/second_factor_setup.html", form=form,
                           enrolment=second_factor.enrolment(user, secret), required=False)
