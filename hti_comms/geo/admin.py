"""Staff pages: SPF districts and which municipalities belong to them."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from ..auth.roles import Role
from ..staff import needs
from ..staff import staff_blueprint
from ..extensions import db
from .forms import DistrictForm, MunicipalityDistrictForm
from .models import District, Municipality
from .services import DistrictError, create_district, move_municipality, rename_district

bp = staff_blueprint("geo_admin", __name__, "/distrikt")


@bp.route("/", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Lade till ett distrikt")
def districts():
    form = DistrictForm()
    if form.validate_on_submit():
        try:
            district = create_district(form.name.data)
        except DistrictError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Distriktet ”{district.name}” är skapat.", "success")
            return redirect(url_for(".districts"))
    all_districts = db.session.scalars(select(District).order_by(District.name)).all()
    return render_template("web/geo/districts.html", districts=all_districts, form=form)


@bp.route("/<int:district_id>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Ändrade ett distrikt")
def district(district_id: int):
    district = db.session.get(District, district_id) or abort(404)
    form = DistrictForm(obj=district)
    if form.validate_on_submit():
        try:
            rename_district(district, form.name.data)
        except DistrictError as exc:
            flash(str(exc), "error")
        else:
            flash("Namnet är ändrat.", "success")
            return redirect(url_for(".district", district_id=district.id))
    move_form = MunicipalityDistrictForm()
    move_form.district_id.choices = _district_choices()
    return render_template("web/geo/district.html", district=district, form=form, move_form=move_form)


@bp.route("/kommun/<code>", methods=["POST"])
@needs(Role.REDAKTOR, "Flyttade en kommun till ett annat distrikt")
def move(code: str):
    municipality = db.session.get(Municipality, code) or abort(404)
    form = MunicipalityDistrictForm()
    form.district_id.choices = _district_choices()
    if form.validate_on_submit():
        previous = municipality.district
        target = move_municipality(municipality, form.district_id.data)
        flash(f"{municipality.short_name} hör nu till {target.name}.", "success")
        if previous is not None:
            return redirect(url_for(".district", district_id=previous.id))
    else:
        flash("Välj ett distrikt i listan.", "error")
    return redirect(url_for(".districts"))


def _district_choices() -> list[tuple[int, str]]:
    return [(d.id, d.name) for d in db.session.scalars(select(District).order_by(District.name))]
