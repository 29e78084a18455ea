"""Staff pages: the year plan and next year's copy (shown for review before anything is saved)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import Role
from .. import clock
from ..formatting import counted, format_datetime
from ..forms import Form
from ..publication.moments import known_years, next_publication
from ..staff import needs, staff_blueprint

bp = staff_blueprint("yearplan_admin", __name__, "/arsplan")


class CopyForm(Form):
    """The review's button; the ticked items come as `item` values."""


def _year_or_404(year: int) -> int:
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/")
def index():
    """The plan of the year whose publication is next (or the latest one)."""
    upcoming = next_publication()
    years = known_years()
    year = upcoming.year if upcoming else (years[0] if years else clock.to_stockholm(clock.now()).year)
    return redirect(url_for(".plan", year=year))


@bp.route("/<int:year>")
def plan(year: int):
    from .plan import year_plan  # the plan and the copying (below) are imported by their pages

    plan = year_plan(_year_or_404(year))
    return render_template("web/yearplan/plan.html", plan=plan, year=year, years=sorted(set(known_years()) | {year}),
                           format_datetime=format_datetime, now=clock.now())


@bp.route("/<int:year>/nasta-ar", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Kopierade året till nästa år")
def next_year(year: int):
    """Show what copying the year to the next would make; save only what staff keep ticked."""
    from .copy import copy_items, copy_to_next_year

    items = copy_items(_year_or_404(year))
    form = CopyForm()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("item"))
        if not chosen:
            flash("Välj minst en sak att kopiera.", "error")
        else:
            made = copy_to_next_year(year, chosen, actor=getattr(current_user, "email", "") or "personal")
            flash(f"{counted(made, 'sak', 'saker')} är kopierade till {year + 1}. Utskicken är utkast: granska och "
                  "schemalägg dem.", "success")
            return redirect(url_for(".plan", year=year + 1))
    return render_template("web/yearplan/next_year.html", year=year, items=items, form=form,
                           format_datetime=format_datetime)
