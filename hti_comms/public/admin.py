"""Staff page: links to each municipality's own follow-up work, shown on its public results page."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import Role
from ..staff import needs
from ..extensions import db
from ..geo.models import Municipality
from ..results.publication import publication_state
from ..results.ranking import available_years
from ..staff import staff_blueprint
from .forms import FollowUpLinkForm, RemoveLinkForm
from .services import MUNICIPALITY, TITLE, URL, add_link, links_of_year, remove_link

bp = staff_blueprint("public_admin", __name__, "/uppfoljning")


@bp.route("/")
def index():
    years = available_years()
    if not years:
        return render_template("web/results/empty.html")
    return redirect(url_for(".links", year=years[0]))


@bp.route("/<int:year>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Lade till en länk om en kommuns uppföljning", get=True)
def links(year: int):
    years = available_years()
    if year not in years:
        abort(404)
    form = FollowUpLinkForm()
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.short_name)).all()
    form.municipality.choices = [("", "Välj kommun")] + [(m.code, m.short_name) for m in municipalities]
    if form.validate_on_submit():
        link, findings = add_link(year, form.municipality.data, form.title.data, form.url.data,
                                  added_by=current_user.email)
        fields = {MUNICIPALITY: form.municipality, TITLE: form.title, URL: form.url}
        if link is not None:
            for finding in findings:
                flash(finding.message, "info")
            flash(f"Länken ”{link.title}” visas nu på sidan för {link.municipality.short_name} {year}.", "success")
            return redirect(url_for(".links", year=year))
        for finding in findings:
            fields[finding.field].errors = [*fields[finding.field].errors, finding.message]
    return render_template("web/public/admin/links.html", form=form, year=year, years=years,
                           links=links_of_year(year), remove_form=RemoveLinkForm(),
                           is_public=publication_state().is_public(year))


@bp.post("/<int:year>/<int:link_id>/ta-bort")
@needs(Role.REDAKTOR, "Tog bort en länk om en kommuns uppföljning")
def remove(year: int, link_id: int):
    if RemoveLinkForm().validate_on_submit() and remove_link(link_id):
        flash("Länken är borttagen.", "success")
    return redirect(url_for(".links", year=year))
