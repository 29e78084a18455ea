"""A logged-in staff member's own account: a new password, which ends every other session."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, login_user

from .forms import PasswordForm
from .services import StaffError, change_password, check_password

bp = Blueprint("account", __name__)


@bp.route("/konto/losenord", methods=["GET", "POST"])
@login_required
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
