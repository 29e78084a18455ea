"""Staff page: which councils have taken the basic course, by municipality and county; the audience for the next
invitation; marking a course as a basic course."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..auth.roles import Role
from ..extensions import db
from ..staff import needs
from ..subscribers.audiences import AudienceError, Criteria, audience_size
from . import councils
from .admin import _event_or_404, bp
from .councils_audience import save_untrained_audience
from .forms import ActionForm
from .models import EventKind

YEAR_CHOICES = (0, 1, 2, 3, 5)


def _years() -> int:
    years = request.values.get("ar", type=int)
    return years if years in YEAR_CHOICES else councils.DEFAULT_YEARS


@bp.route("/grundkursen")
def councils_page():
    years = _years()
    rows, counties = councils.council_table(years)
    return render_template("web/events/admin/councils.html", rows=rows, counties=counties, years=years,
                           choices=YEAR_CHOICES, trained=sum(r.trained for r in rows), form=ActionForm())


@bp.route("/grundkursen/malgrupp", methods=["POST"])
@needs(Role.UTSKICK, "Sparade målgruppen pensionärsråd utan någon som gått grundkursen")
def councils_audience():
    if not ActionForm().validate_on_submit():
        abort(400)
    years = _years()
    try:
        audience = save_untrained_audience(years)
    except AudienceError as exc:
        flash(str(exc), "error")
    else:
        size = audience_size(Criteria.of(audience))
        flash(f"Målgruppen ”{audience.name}” är sparad ({size} mottagare just nu). Välj den när du skickar "
              "nästa inbjudan.", "success")
    return redirect(url_for(".councils_page", ar=years))


@bp.route("/<int:event_id>/grundkurs", methods=["POST"])
@needs(Role.REDAKTOR, "Ändrade om ett evenemang är en grundkurs")
def mark_basic_course(event_id: int):
    event = _event_or_404(event_id)
    if not ActionForm().validate_on_submit() or event.kind is not EventKind.KURS:
        abort(400)
    event.is_basic_course = request.form.get("on") == "1"
    db.session.commit()
    flash(f"”{event.title}” räknas {'' if event.is_basic_course else 'inte '}som grundkurs.", "success")
    return redirect(url_for(".after", event_id=event.id))
