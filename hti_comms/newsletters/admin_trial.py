"""Staff page: the named test addresses (a few, each confirmed once by its owner) that test sends may go to."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ..auth.roles import Role
from ..staff import needs
from ..extensions import db
from ..forms import Form
from ..subscribers.forms import ActionForm, strip
from .admin import bp
from .models import TrialAddress
from .services import NewsletterError
from .trial_addresses import MAX_TRIAL_ADDRESSES, add_trial_address, all_trial_addresses, remove, staff_addresses


class TrialAddressForm(Form):
    email = StringField("E-postadress", filters=[strip], validators=[
        DataRequired("Skriv e-postadressen."), Length(max=254, message="Högst 254 tecken.")])
    name = StringField("Namn (frivilligt)", validators=[Optional(), Length(max=200, message="Högst 200 tecken.")])


@bp.route("/provadresser", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Lade till en provadress")
def trial_addresses():
    form = TrialAddressForm()
    if form.validate_on_submit():
        try:
            trial = add_trial_address(form.email.data, form.name.data or "", added_by=current_user.email)
        except NewsletterError as error:
            form.email.errors = [*form.email.errors, str(error).split(": ", 1)[-1]]
        else:
            flash(f"Ett e-brev med en bekräftelseknapp är skickat till {trial.email}. Prov går dit först när "
                  "ägaren har tryckt på knappen.", "success")
            return redirect(url_for(".trial_addresses"))
    return render_template("web/newsletters/admin/trial_addresses.html", form=form, trials=all_trial_addresses(),
                           staff=staff_addresses(), action_form=ActionForm(), limit=MAX_TRIAL_ADDRESSES), \
        400 if form.errors else 200


@bp.post("/provadresser/<int:trial_id>/ta-bort")
@needs(Role.REDAKTOR, "Tog bort en provadress")
def remove_trial_address(trial_id: int):
    trial = db.session.get(TrialAddress, trial_id) or abort(404)
    if ActionForm().validate_on_submit():
        remove(trial)
        flash(f"{trial.email} får inga fler prov.", "success")
    return redirect(url_for(".trial_addresses"))
