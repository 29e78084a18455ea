"""Staff pages: the ranking per year and the results import."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import Role
from ..staff import needs
from ..exports import download
from ..formatting import counted
from ..staff import staff_blueprint
from .forms import ImportResultsForm
from .models import SUB_INDICES
from .ranking import available_years, compute_ranking
from .services import import_results
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
    return render_template("web/results/ranking.html", ranking=ranking, years=available_years(),
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
    form = ImportResultsForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        outcome = import_results(upload.read(), upload.filename or "uppladdad fil", form.year.data,
                                 replace=form.replace.data, imported_by=current_user.email)
        if outcome.ok:
            flash(f"{counted(outcome.imported, 'kommuns', 'kommuners')} resultat för {outcome.year} är importerade.",
                  "success")
            for note in outcome.parsed.notes:
                flash(note, "info")
            return redirect(url_for(".ranking", year=outcome.year))
    return render_template("web/results/import.html", form=form, outcome=outcome)
