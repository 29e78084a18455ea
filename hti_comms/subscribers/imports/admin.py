"""Staff pages for importing contacts: upload, the stored line-by-line preview, then import or cancel."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...auth.roles import Role
from ...staff import needs
from ...extensions import db
from ..admin import bp
from ..forms import ActionForm, ImportForm, as_choices
from ..models import LegalBasis
from .models import ContactImport, ImportStatus, LineAction
from ..services import all_lists

# The import itself (.run, with the plan and the store) is imported by the pages that use it: every process builds
# the app, few of them import contacts.


@bp.route("/importera", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Laddade upp en kontaktfil", get=True)
def import_contacts():
    from .run import recent_imports, stage_import

    form = ImportForm()
    form.default_lists.choices = as_choices([(m.key, m.name) for m in all_lists()])
    if form.validate_on_submit():
        upload = form.file.data
        staged = stage_import(upload.read(), upload.filename or "uppladdad fil", LegalBasis(form.legal_basis.data),
                              form.default_lists.data or [], actor=current_user.email)
        return redirect(url_for(".import_preview", import_id=staged.id))
    return render_template("web/subscribers/admin/import.html", form=form, recent=recent_imports())


def _staged_or_404(import_id: int) -> ContactImport:
    return db.session.get(ContactImport, import_id) or abort(404)


@bp.route("/importera/<int:import_id>")
def import_preview(import_id: int):
    from .run import PREVIEW_ORDER, planned_at, preview_page
    from .store import describe_outcome

    staged = _staged_or_404(import_id)
    if staged.status not in (ImportStatus.PREVIEWED, ImportStatus.FAILED):
        return render_template("web/subscribers/admin/import_done.html", staged=staged, form=ActionForm(),
                               outcome=describe_outcome(staged.summary or {}))
    shown = {a.value: a for a in LineAction}.get(request.args.get("visa", ""))
    page = preview_page(staged, shown, request.args.get("sida", 1, type=int))
    counts = staged.report.get("counts", {})
    return render_template("web/subscribers/admin/import_preview.html", staged=staged, report=staged.report,
                           page=page, groups=[(action, counts.get(action.value, 0)) for action in PREVIEW_ORDER],
                           planned_at=planned_at(staged), form=ActionForm())


@bp.route("/importera/<int:import_id>/spara", methods=["POST"])
@needs(Role.REDAKTOR, "Importerade kontakter")
def import_commit(import_id: int):
    from .run import request_commit
    from .store import ImportRefused

    _staged_or_404(import_id)
    if ActionForm().validate_on_submit():
        try:
            request_commit(import_id, actor=current_user.email, skip_invalid=bool(request.form.get("skip_invalid")))
        except ImportRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for(".import_preview", import_id=import_id))


@bp.route("/importera/<int:import_id>/avbryt", methods=["POST"])
@needs(Role.REDAKTOR, "Avbröt en kontaktimport")
def import_discard(import_id: int):
    from .run import cancel_import

    _staged_or_404(import_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".import_preview", import_id=import_id))
    if cancel_import(import_id):
        flash("Importen är avbruten. Ingenting sparades och filen är borttagen.", "info")
        return redirect(url_for(".import_contacts"))
    flash("Importen gick inte att avbryta: den är redan klar eller avbruten.", "error")
    return redirect(url_for(".import_preview", import_id=import_id))
