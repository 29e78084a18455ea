"""Staff pages: the ranking per year and the results import."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import Role
from ..staff import needs
from ..exports import download
from ..formatting import counted
from ..staff import staff_blueprint
from ..extensions import db
from .forms import ImportResultsForm, SaveResultsForm
from .models import SUB_INDICES, ResultUpload
from .ranking import available_years, compute_ranking
from .uploads import discard, preview, save, stage
from .table import COLUMNS, counties, ranking_xlsx, table_view

bp = staff_blueprint("results_admin", __name__, "/resultat")


@bp.route("/")
def index():
    years = available_years()
    if years:
        return redirect(url_for(".ranking", year=years[0]))
    return render_template("web/results/empty.html")


def _ranking_or_404(year: int):
    return compute_ranking(year) or abort(404)


@bp.route("/<int:year>")
def ranking(year: int):
    ranking = _ranking_or_404(year)
    from ..publication.moments import publication_moment  # the moment's owner; the way on from an import

    return render_template("web/results/ranking.html", ranking=ranking, years=available_years(),
                           published_at=publication_moment(year),
                           sub_indices=SUB_INDICES, view=table_view(ranking, request.args), columns=COLUMNS,
                           counties=counties(ranking))


@bp.route("/<int:year>/rankning.xlsx")
def ranking_download(year: int):
    ranking = _ranking_or_404(year)
    demo = "-demodata" if ranking.is_demo else ""
    return download(ranking_xlsx(ranking), f"hemtjanstindex-{year}{demo}.xlsx")


@bp.route("/importera", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Importerade resultat", get=True)
def import_file():
    """Upload and check a file; nothing is saved until staff have looked at the preview and pressed "Spara"."""
    form = ImportResultsForm()
    problems = []
    if form.validate_on_submit():
        upload = form.file.data
        staged, problems = stage(upload.read(), upload.filename or "uppladdad fil", form.year.data,
                                 replace=form.replace.data, uploaded_by=current_user.email)
        if staged is not None:
            return redirect(url_for(".import_preview", upload_id=staged.id))
    return render_template("web/results/import.html", form=form, problems=problems)


def _upload_or_404(upload_id: int) -> ResultUpload:
    return db.session.get(ResultUpload, upload_id) or abort(404)


@bp.route("/importera/<int:upload_id>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Sparade importerade resultat", get=True)
def import_preview(upload_id: int):
    """The file as it would be saved: its size, notes, what it replaces, best and worst; then save or cancel."""
    upload = _upload_or_404(upload_id)
    form = SaveResultsForm(replace=upload.replace)
    shown = preview(upload)
    if form.validate_on_submit():
        outcome = save(upload, replace=form.replace.data, imported_by=current_user.email)
        if outcome.ok:
            flash(f"{counted(outcome.imported, 'kommuns', 'kommuners')} resultat för {outcome.year} är importerade.",
                  "success")
            for note in outcome.parsed.notes:
                flash(note, "info")
            return redirect(url_for(".ranking", year=outcome.year))
        if outcome.needs_confirmation:
            form.replace.errors = [*form.replace.errors, f"Det finns redan resultat för {upload.year}. Kryssa i "
                                                         "rutan för att ersätta dem."]
        else:
            form.replace.errors = [*form.replace.errors, *(str(p) for p in outcome.all_problems)]
    return render_template("web/results/import_preview.html", preview=shown, form=form,
                           cancel_form=SaveResultsForm()), 400 if form.errors else 200


@bp.route("/importera/<int:upload_id>/avbryt", methods=["POST"])
@needs(Role.REDAKTOR, "Avbröt en import av resultat")
def import_cancel(upload_id: int):
    upload = _upload_or_404(upload_id)
    if SaveResultsForm().validate_on_submit():
        discard(upload)
        flash("Filen är borttagen. Inget importerades.", "success")
    return redirect(url_for(".import_file"))
