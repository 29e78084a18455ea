"""The staff log for administrators: search by person, kind and date; download what was found as CSV."""
from __future__ import annotations

from flask import render_template, request, url_for
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from ..auth.roles import Role
from ..exports import download
from ..forms import Form
from ..staff import staff_blueprint
from .services import PAGE_SIZE, Search, as_csv, kinds, search_entries

bp = staff_blueprint("stafflog_admin", __name__, "/logg", read=Role.ADMINISTRATOR)


class SearchForm(Form):
    class Meta:
        csrf = False

    person = StringField("Vem (e-postadress eller en del av den)", validators=[Optional(), Length(max=254)])
    kind = SelectField("Vad", validate_choice=True, validators=[Optional()])
    since = DateField("Från och med", validators=[Optional()])
    until = DateField("Till och med", validators=[Optional()])


def _search() -> tuple[SearchForm, Search]:
    form = SearchForm(request.args)
    form.kind.choices = [("", "Allt")] + kinds()
    if request.args and not form.validate():
        return form, Search(kind="\0")  # nothing matches a search that could not be read; the errors say why
    return form, Search(person=form.person.data or "", kind=form.kind.data or "", since=form.since.data,
                        until=form.until.data, page=max(request.args.get("sida", 1, type=int) or 1, 1))


@bp.route("/")
def index():
    form, search = _search()
    entries, total = search_entries(search)
    arguments = {k: v for k, v in request.args.items() if k != "sida"}
    return render_template("web/stafflog/index.html", form=form, entries=entries, total=total, page=search.page,
                           pages=max(1, -(-total // PAGE_SIZE)), arguments=arguments,
                           csv_url=url_for(".export", **arguments))


@bp.route("/logg.csv")
def export():
    _form, search = _search()
    return download(as_csv(search), "personallogg.csv", {"Cache-Control": "no-store"})
