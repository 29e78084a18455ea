"""Staff pages for importing contacts: upload, line-by-line preview, then commit or discard."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..formatting import format_integer
from .admin import bp
from .forms import ActionForm, ImportForm, as_choices
from .importer import LineAction
from .imports import ImportRefused, discard_staged, replan, request_commit, stage_import
from .models import ContactImport, ImportStatus, LegalBasis
from .services import all_lists

#: Lines shown per kind in the preview; the counts always cover the whole file.
PREVIEW_LINES = 500


@bp.route("/importera", methods=["GET", "POST"])
def import_contacts():
    form = ImportForm()
    form.default_lists.choices = as_choices([(m.key, m.name) for m in all_lists()])
    if form.validate_on_submit():
        upload = form.file.data
        staged, _plan = stage_import(upload.read(), upload.filename or "uppladdad fil",
                                     LegalBasis(form.legal_basis.data), form.default_lists.data or [],
                                     actor=current_user.email)
        return redirect(url_for(".import_preview", import_id=staged.id))
    return render_template("web/subscribers/admin/import.html", form=form)


def _staged_or_404(import_id: int) -> ContactImport:
    return db.session.get(ContactImport, import_id) or abort(404)


@bp.route("/importera/<int:import_id>")
def import_preview(import_id: int):
    staged = _staged_or_404(import_id)
    if staged.status is not ImportStatus.PREVIEWED:
        return render_template("web/subscribers/admin/import_done.html", staged=staged)
    plan = replan(staged)
    groups = [(action, [line for line in plan.lines if line.action is action]) for action in
              (LineAction.INVALID, LineAction.SKIP, LineAction.MERGE, LineAction.UPDATE, LineAction.CREATE)]
    return render_template("web/subscribers/admin/import_preview.html", staged=staged, plan=plan, groups=groups,
                           counts={action: format_integer(len(lines)) for action, lines in groups},
                           new_contacts=sum(1 for c in plan.to_write if c.existing is None),
                           limit=PREVIEW_LINES, form=ActionForm())


@bp.route("/importera/<int:import_id>/spara", methods=["POST"])
def import_commit(import_id: int):
    staged = _staged_or_404(import_id)
    if ActionForm().validate_on_submit():
        try:
            request_commit(staged, actor=current_user.email, skip_invalid=bool(request.form.get("skip_invalid")))
        except ImportRefused as exc:
            flash(str(exc), "error")
    return redirect(url_for(".import_preview", import_id=staged.id))


@bp.route("/importera/<int:import_id>/avbryt", methods=["POST"])
def import_discard(import_id: int):
    staged = _staged_or_404(import_id)
    if ActionForm().validate_on_submit():
        discard_staged(staged)
        flash("Importen är avbruten. Ingenting sparades och filen är borttagen.", "info")
    return redirect(url_for(".import_contacts"))
