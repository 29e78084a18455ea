"""Staff pages: coverage per year and county, a municipality's plan, a measure with its history, proposals to review.

Roles (issue 20): entering and changing measures is editorial work ("redaktor"); approving or turning down a
municipality's proposal puts its words on a public page ("publicering").
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..delivery.owner import Owner
from ..domain import SendReference
from ..extensions import db
from ..formatting import genitive
from ..geo.models import Municipality
from ..geo.services import municipalities_by_code
from ..inputs import BadInput
from ..results.ranking import available_years
from ..auth.roles import Role
from ..staff import needs, staff_blueprint
from ..subscribers.forms import as_choices
from ..results.services import stored_values
from .followup import earlier_plans, followup_points
from .forms import TEXT_HINT, ActionForm, ChooseMunicipalityForm, MeasureForm, RejectForm
from .models import Measure, PlanSubmission
from .register import FIELD_LABELS, MeasureInput, PlanError, add_measure, measures_of, shown_value, update_measure
from .submissions import approve, pending, reject, submissions_of

bp = staff_blueprint("action_plans_admin", __name__, "/atgardsplaner")


def _actor() -> str:
    return getattr(current_user, "email", "") or "personal"


def describe_owner(owner: Owner) -> SendReference | None:
    """Name a reminder send (owner key "2025:0114") with a link to the municipality's plan."""
    parts = owner.parts
    municipality = db.session.get(Municipality, parts[1]) if len(parts) == 2 and parts[0].isdigit() else None
    if municipality is None:
        return None
    return SendReference(f"Påminnelse om åtgärdsplan: {municipality.short_name} {parts[0]}",
                         url_for("action_plans_admin.municipality", year=int(parts[0]), code=municipality.code))


def _years() -> list[int]:
    from .coverage import plan_years  # coverage is imported by the pages that show it

    return sorted(set(available_years()) | set(plan_years()), reverse=True)


@bp.route("/")
def index():
    years = _years()
    if not years:
        return render_template("web/action_plans/admin/empty.html")
    return redirect(url_for(".year", year=years[0]))


def _municipality_choices() -> list[tuple[str, str]]:
    return [("", "Välj kommun")] + sorted(((m.code, m.short_name) for m in municipalities_by_code().values()),
                                          key=lambda choice: choice[1])


@bp.route("/<int:year>")
def year(year: int):
    from .coverage import coverage

    if year not in _years():
        abort(404)
    chooser = ChooseMunicipalityForm(request.args)
    chooser.kommun.choices = as_choices(_municipality_choices())
    if "kommun" in request.args and chooser.validate():
        return redirect(url_for(".municipality", year=year, code=chooser.kommun.data))
    return render_template("web/action_plans/admin/year.html", year=year, years=_years(), coverage=coverage(year),
                           chooser=chooser, pending=pending(), action_form=ActionForm())


def _municipality_or_404(code: str) -> Municipality:
    return db.session.get(Municipality, code) or abort(404)


def _place_errors(form: MeasureForm, problem: PlanError) -> None:
    fields = {label: name for name, label in FIELD_LABELS.items()}
    for finding in problem.findings:
        target = getattr(form, fields.get(finding.field, "text"), form.text)
        target.errors = [*target.errors, finding.message]


def _input(form: MeasureForm) -> MeasureInput:
    return MeasureInput(form.area.data, form.text.data or "", form.horizon.data, form.status.data,
                        form.source_url.data or "", form.status_since.data)


@bp.route("/<int:year>/<code>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Lade till en åtgärd i en kommuns åtgärdsplan")
def municipality(year: int, code: str):
    municipality = _municipality_or_404(code)
    form = MeasureForm()
    if form.validate_on_submit():
        try:
            measure = add_measure(year, code, _input(form), actor=_actor())
            db.session.commit()
        except PlanError as problem:
            db.session.rollback()
            _place_errors(form, problem)
        else:
            flash(f"Åtgärden är registrerad och visas på {genitive(municipality.short_name)} resultatsida för "
                  f"{year}.", "success")
            return redirect(url_for(".municipality", year=year, code=code) + f"#atgard-{measure.id}")
    following = stored_values(year + 1, [code]).get(code)
    plan = earlier_plans(year + 1, code).get(code) if following else None
    followup = followup_points(municipality.short_name, plan, following) if plan and plan.plan_year == year else []
    return render_template("web/action_plans/admin/municipality.html", year=year, municipality=municipality,
                           measures=measures_of(year, code), form=form, submissions=submissions_of(year, code),
                           followup=followup, has_following_year=following is not None, text_hint=TEXT_HINT)


@bp.route("/atgard/<int:measure_id>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Ändrade en åtgärd i en kommuns åtgärdsplan")
def measure(measure_id: int):
    measure = db.session.get(Measure, measure_id) or abort(404)
    form = MeasureForm(obj=measure if request.method == "GET" else None)
    if request.method == "GET":
        form.area.data, form.horizon.data, form.status.data = (measure.area.value, measure.horizon.value,
                                                               measure.status.value)
        form.status_since.data = None
    if form.validate_on_submit():
        try:
            changed = update_measure(measure, _input(form), actor=_actor())
            db.session.commit()
        except PlanError as problem:
            db.session.rollback()
            _place_errors(form, problem)
        else:
            flash("Ändringen är sparad och visas på resultatsidan." if changed else "Inget var ändrat.", "success")
            return redirect(url_for(".measure", measure_id=measure.id))
    return render_template("web/action_plans/admin/measure.html", measure=measure, form=form,
                           field_labels=FIELD_LABELS, shown_value=shown_value, text_hint=TEXT_HINT)


def _submission_or_404(submission_id: int) -> PlanSubmission:
    return db.session.get(PlanSubmission, submission_id) or abort(404)


@bp.route("/forslag/<int:submission_id>")
def submission(submission_id: int):
    submission = _submission_or_404(submission_id)
    return render_template("web/action_plans/admin/submission.html", submission=submission,
                           action_form=ActionForm(), reject_form=RejectForm())


@bp.post("/forslag/<int:submission_id>/godkann")
@needs(Role.PUBLICERING, "Godkände en kommuns förslag till åtgärdsplan")
def approve_submission(submission_id: int):
    submission = _submission_or_404(submission_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        approve(submission, actor=_actor())
    except PlanError as problem:
        flash(f"Förslaget kunde inte godkännas. {problem}", "error")
        return redirect(url_for(".submission", submission_id=submission_id))
    flash("Förslaget är godkänt och visas nu på kommunens resultatsida.", "success")
    return redirect(url_for(".municipality", year=submission.year, code=submission.municipality_code))


@bp.post("/forslag/<int:submission_id>/avvisa")
@needs(Role.PUBLICERING, "Avvisade en kommuns förslag till åtgärdsplan")
def reject_submission(submission_id: int):
    submission = _submission_or_404(submission_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return render_template("web/action_plans/admin/submission.html", submission=submission,
                               action_form=ActionForm(), reject_form=form), 400
    try:
        reject(submission, actor=_actor(), note=form.note.data or "")
    except (PlanError, BadInput) as problem:
        flash(str(problem), "error")
        return redirect(url_for(".submission", submission_id=submission_id))
    flash("Förslaget är inte godkänt; inget ändrades på resultatsidan.", "success")
    return redirect(url_for(".year", year=submission.year))


@bp.post("/<int:year>/malgrupp")
@needs(Role.REDAKTOR, "Sparade målgruppen kommuner utan åtgärdsplan")
def audience(year: int):
    """Save (or bring up to date) the audience "Kommuner utan registrerad åtgärdsplan <year>" and open it."""
    if not ActionForm().validate_on_submit():
        abort(400)
    from ..subscribers.audiences import AudienceError
    from .audience import save_without_plan_audience

    try:
        saved = save_without_plan_audience(year)
    except AudienceError as problem:
        flash(str(problem), "error")
        return redirect(url_for(".year", year=year))
    flash(f"Målgruppen ”{saved.name}” är sparad. Välj den när du skriver ett utskick.", "success")
    return redirect(url_for("subscribers_admin.audience", audience_id=saved.id))
