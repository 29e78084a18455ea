"""Staff accounts for administrators: invite by email, change roles, disable, reset a second factor, last login."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import BooleanField, EmailField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db
from ..forms import Form
from ..staff import needs, staff_blueprint
from ..stafflog.services import record
from .invitations import invite
from .models import StaffUser, needs_second_factor
from .roles import DESCRIPTIONS, Role, roles_sentence
from .second_factor import reset_second_factor
from .services import StaffError, new_staff, set_roles

bp = staff_blueprint("staff_admin", __name__, "/personal", read=Role.ADMINISTRATOR)


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices():
    return [(role.value, f"{role.label} – {DESCRIPTIONS[role]}") for role in Role]


class InviteForm(Form):
    email = EmailField("E-postadress", validators=[DataRequired("Fyll i personens e-postadress."), Length(max=254)])
    name = StringField("Namn", validators=[Length(max=120)])
    roles = RolesField("Roller")


class AccountForm(Form):
    roles = RolesField("Roller")
    is_enabled = BooleanField("Kontot får användas")


class ActionForm(Form):
    """A button that needs only its CSRF token."""


def _user_or_404(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _roles(form) -> list[Role]:
    return [Role(value) for value in form.roles.data or []]


@bp.route("/", methods=["GET", "POST"])
@needs(Role.ADMINISTRATOR, "Bjöd in en person")
def index():
    form = InviteForm()
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        try:
            user = new_staff(form.email.data, form.name.data or "", _roles(form))
        except StaffError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            invite(user, invited_by=current_user)
            record("staff_admin.index", "Bjöd in en person", target=user.email,
                   detail=f"Roller: {roles_sentence(user.roles)}.")
            db.session.commit()
            flash(f"En inbjudan är skickad till {user.email}. Länken gäller i "
                  f"{_valid_for()}.", "success")
            return redirect(url_for(".index"))
    people = list(db.session.scalars(select(StaffUser).order_by(StaffUser.is_enabled.desc(), StaffUser.email)))
    return render_template("web/auth/admin/index.html", form=form, people=people, roles_sentence=roles_sentence,
                           everyone=_everyone())


def _valid_for() -> str:
    from .invitations import invitation_valid_for

    return invitation_valid_for()


def _everyone() -> bool:
    from flask import current_app

    return current_app.config["TWO_FACTOR_FOR_EVERYONE"]


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@needs(Role.ADMINISTRATOR, "Ändrade en persons roller eller konto")
def account(user_id: int):
    user = _user_or_404(user_id)
    form = AccountForm(data=None if form_posted() else {"roles": [r.value for r in user.roles],
                                                        "is_enabled": user.is_enabled})
    form.roles.choices = _role_choices()
    if form.validate_on_submit():
        before = (roles_sentence(user.roles), user.is_enabled)
        try:
            set_roles(user, _roles(form), enabled=form.is_enabled.data)
        except StaffError as exc:
            db.session.rollback()
            form.roles.errors = [*form.roles.errors, str(exc)]
        else:
            after = (roles_sentence(user.roles), user.is_enabled)
            record("staff_admin.account", "Ändrade en persons roller eller konto", target=user.email,
                   detail=f"Före: {_state(*before)}. Efter: {_state(*after)}.")
            db.session.commit()
            flash(f"Ändringen för {user.display_name} är sparad.", "success")
            return redirect(url_for(".account", user_id=user.id))
    return render_template("web/auth/admin/account.html", form=form, user=user, action_form=ActionForm(),
                           roles_sentence=roles_sentence,
                           needs_factor=needs_second_factor(user, everyone=_everyone()))


def form_posted() -> bool:
    from flask import request

    return request.method == "POST"


def _state(roles: str, enabled: bool) -> str:
    return f"{roles}, {'aktivt' if enabled else 'avstängt'}"


@bp.post("/<int:user_id>/aterstall-tvastegs")
@needs(Role.ADMINISTRATOR, "Återställde en persons tvåstegsverifiering")
def reset_factor(user_id: int):
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        reset_second_factor(user)
        record("staff_admin.reset_factor", "Återställde en persons tvåstegsverifiering", target=user.email)
        db.session.commit()
        flash(f"Tvåstegsverifieringen för {user.display_name} är borttagen. Personen är utloggad och ställer in en "
              "ny nästa gång hen loggar in.", "success")
    return redirect(url_for(".account", user_id=user.id))


@bp.post("/<int:user_id>/bjud-in-igen")
@needs(Role.ADMINISTRATOR, "Skickade en ny inbjudan")
def invite_again(user_id: int):
    user = _user_or_404(user_id)
    if ActionForm().validate_on_submit():
        if user.has_accepted_invitation:
            flash(f"{user.display_name} har redan valt lösenord.", "error")
        else:
            invite(user, invited_by=current_user)
            record("staff_admin.invite_again", "Skickade en ny inbjudan", target=user.email)
            db.session.commit()
            flash(f"En ny inbjudan är skickad till {user.email}.", "success")
    return redirect(url_for(".account", user_id=user.id))
