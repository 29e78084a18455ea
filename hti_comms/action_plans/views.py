"""The municipality's own form behind its personal link: see the registered plan, propose new or changed measures."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ..extensions import db, limiter
from ..inputs import optional_whole_number
from ..publication.entitlement import entitled_contact
from ..subscribers.forms import as_choices
from .forms import TEXT_HINT, ProposalForm
from .links import PLAN_FORM_PATH, read_plan_form_token
from .models import Measure
from .register import MeasureInput, PlanError, measures_of
from .submissions import submit, submissions_of

bp = Blueprint("action_plans", __name__)

#: Which field of the form each message of the register names.
FIELDS = {"Delindex": "area", "Åtgärd": "text", "Sikt": "horizon", "Status": "status", "Datum för status":
          "status_since", "Källa": "source_url", "Meddelande till SPF Seniorerna": "message",
          "Vilken åtgärd gäller det?": "measure"}


def _limit() -> str:
    return current_app.config["SIGNUP_ATTEMPT_RATE_LIMIT"]


def _fill(form: ProposalForm, measures: list[Measure]) -> None:
    form.measure.choices = as_choices([("", "En ny åtgärd")] + [
        (str(m.id), f"{m.area.label}: {m.text[:80]}{'…' if len(m.text) > 80 else ''}") for m in measures])


@bp.route(PLAN_FORM_PATH + "<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def plan_form(token: str):
    """Only for a contact who stands behind the municipality's order of the year; nothing public changes here."""
    read = read_plan_form_token(token)
    order_contact = entitled_contact(*read) if read is not None else None
    if order_contact is None:
        return render_template("web/publication/bad_link.html"), 404
    _key, year, code = read
    municipality = order_contact.order.municipality
    measures = measures_of(year, code)
    form = ProposalForm()
    _fill(form, measures)
    chosen = optional_whole_number(request.args.get("andra"))
    if request.method == "GET" and chosen is not None:
        measure = next((m for m in measures if m.id == chosen), None)
        if measure is not None:
            form.measure.data = str(measure.id)
            form.area.data, form.text.data = measure.area.value, measure.text
            form.horizon.data, form.status.data = measure.horizon.value, measure.status.value
            form.source_url.data = measure.source_url
    if form.validate_on_submit():
        data = MeasureInput(form.area.data, form.text.data, form.horizon.data, form.status.data,
                            form.source_url.data or "", form.status_since.data)
        try:
            submit(year, code, order_contact.contact_id, data, optional_whole_number(form.measure.data),
                   form.message.data or "")
        except PlanError as problem:
            db.session.rollback()
            for finding in problem.findings:
                target = getattr(form, FIELDS.get(finding.field, "text"))
                target.errors = [*target.errors, finding.message]
        else:
            flash("Tack! Vi på SPF Seniorerna läser igenom det ni har skickat. Det visas på kommunens resultatsida "
                  "när vi har godkänt det.", "success")
            return redirect(url_for(".plan_form", token=token))
    return render_template("web/action_plans/form.html", form=form, year=year, municipality=municipality,
                           measures=measures, submissions=submissions_of(year, code), token=token,
                           text_hint=TEXT_HINT)
