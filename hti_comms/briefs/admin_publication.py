"""Staff page: send the year's local briefs and district digests by themselves at the publication moment."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import RadioField

from ..auth.roles import Role as StaffRole
from ..staff import needs
from ..formatting import format_datetime
from ..forms import Form
from ..publication.moments import publication_moment
from ..results.publication import is_released
from ..subscribers.audiences import Criteria, audience_size
from ..subscribers.forms import as_choices
from ..subscribers.models import Role
from .admin import bp
from .at_publication import ScheduleError, choice, held_sentences, schedule, unschedule, what, year_steps
from .audiences import BRIEF_LIST_KEY

KIND_CHOICES = [("both", "Lokala resultatbrev och distriktsbrev"), ("local", "Bara lokala resultatbrev"),
                ("district", "Bara distriktsbrev")]


class AtPublicationForm(Form):
    kind = RadioField("Vilka brev ska skickas vid publiceringen?", choices=as_choices(KIND_CHOICES), default="both")


class UndoForm(Form):
    """A button that only needs CSRF protection."""


def _audiences() -> dict[str, int]:
    return {
        "councils": audience_size(Criteria(list_keys=(BRIEF_LIST_KEY,), roles=(Role.COUNCIL_MEMBER.value,))),
        "districts": audience_size(Criteria(list_keys=(BRIEF_LIST_KEY,), roles=(
            Role.DISTRICT_CHAIR.value, Role.DISTRICT_OFFICER.value))),
    }


@bp.route("/<int:year>/vid-publiceringen", methods=["GET", "POST"])
@needs(StaffRole.UTSKICK, "Valde lokala resultat vid publiceringen")
def at_publication(year: int):
    """Choose (or take back) that the year's briefs go out by themselves at the publication moment."""
    if not 2000 <= year <= 2100:
        abort(404)
    form = AtPublicationForm()
    row = choice(year)
    if row is not None and not form.is_submitted():
        form.kind.data = "both" if row.send_local and row.send_district else ("local" if row.send_local else "district")
    if form.validate_on_submit():
        try:
            schedule(year, form.kind.data, actor=getattr(current_user, "email", "") or "personal")
        except ScheduleError as error:
            form.kind.errors = [*form.kind.errors, str(error)]
        else:
            moment = publication_moment(year)
            when = format_datetime(moment) if moment else "när publiceringstiden är satt"
            flash(f"{what(choice(year)).capitalize()} för {year} skickas av sig själva vid publiceringen, {when}.",
                  "success")
            return redirect(url_for(".at_publication", year=year))
    moment = publication_moment(year)
    return render_template("web/briefs/at_publication.html", year=year, form=form, undo_form=UndoForm(), row=row,
                           step=year_steps(year)[0], moment=moment, is_published=is_released(moment),
                           held=held_sentences(row) if row else [], audiences=_audiences(),
                           format_datetime=format_datetime), 400 if form.errors else 200


@bp.route("/<int:year>/vid-publiceringen/angra", methods=["POST"])
@needs(StaffRole.UTSKICK, "Ångrade lokala resultat vid publiceringen")
def undo_at_publication(year: int):
    if UndoForm().validate_on_submit():
        if unschedule(year):
            flash(f"Breven för {year} skickas inte av sig själva vid publiceringen.", "success")
        else:
            flash("Det fanns inget val att ångra, eller så har breven redan skickats.", "error")
    return redirect(url_for(".at_publication", year=year))
