"""Staff pages: the print batches, one batch with its PDF to download, and "Markera som utskriven"."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..auth.roles import Role
from ..forms import Form
from ..staff import needs, staff_blueprint
from .models import can_mark_printed
from .render import pdf_filename
from .services import LetterError, all_batches, batches_for_send, get_batch, mark_printed

bp = staff_blueprint("letters_admin", __name__, "/brev")


def _batch_or_404(batch_id: int):
    try:
        return get_batch(batch_id)
    except LetterError:
        abort(404)


@bp.route("/")
def batches():
    return render_template("web/letters/batches.html", batches=all_batches())


@bp.route("/<int:batch_id>")
def batch(batch_id: int):
    found = _batch_or_404(batch_id)
    return render_template("web/letters/batch.html", batch=found, form=Form(), can_mark=can_mark_printed(found),
                           has_pdf=found.pdf_made_at is not None)


@bp.route("/<int:batch_id>/pdf")
def pdf(batch_id: int):
    found = _batch_or_404(batch_id)
    if found.pdf is None:
        flash("PDF:en är inte klar än. Den skapas inom en minut; ladda om sidan om en stund.", "error")
        return redirect(url_for(".batch", batch_id=batch_id))
    return Response(found.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{pdf_filename(found)}"'})


@bp.route("/<int:batch_id>/utskriven", methods=["POST"])
@needs(Role.UTSKICK, "markerade brev som utskrivna")
def printed(batch_id: int):
    found = _batch_or_404(batch_id)
    if Form().validate_on_submit():
        try:
            mark_printed(found, current_user.email)
            flash(f"Omgång {found.id} är markerad som utskriven.", "success")
        except LetterError as exc:
            flash(str(exc), "error")
    return redirect(url_for(".batch", batch_id=batch_id))


def setup(app) -> None:
    """Let a send's page (delivery) show the send's print batches without delivery knowing about letters."""
    app.jinja_env.globals["print_batches_for_send"] = batches_for_send
