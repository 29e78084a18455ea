"""Approval requests for staff: what waits, the same preview, count and audience, and the button for the second person."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import Role
from ..extensions import db
from ..forms import Form
from ..staff import LOGIN, needs, staff_blueprint
from .kinds import KINDS
from .models import ApprovalRequest
from .services import ApprovalError, approve, approvers, overdue, recent, waiting, withdraw_own

bp = staff_blueprint("approvals_admin", __name__, "/godkannanden")
#: The approve button of each role (a route each, so that each declares its role).
APPROVE_ENDPOINT = {Role.UTSKICK: "approvals_admin.approve_send", Role.PUBLICERING: "approvals_admin.approve_publication"}


class ActionForm(Form):
    """A button that needs only its CSRF token."""


def _request_or_404(request_id: int) -> ApprovalRequest:
    found = db.session.get(ApprovalRequest, request_id)
    if found is None:
        abort(404)
    return found


@bp.route("/")
def index():
    return render_template("web/approvals/index.html", waiting=waiting(), recent=recent(), overdue=overdue)


@bp.route("/<int:request_id>")
def detail(request_id: int):
    found = _request_or_404(request_id)
    kind = KINDS[found.kind]
    return render_template("web/approvals/detail.html", item=found, kind=kind, preview_url=kind.preview(found),
                           version=kind.version(found), approvers=approvers(found), overdue=overdue(found),
                           approve_endpoint=APPROVE_ENDPOINT[found.role], form=ActionForm())


def _approve(request_id: int, role: Role):
    found = _request_or_404(request_id)
    if found.role is not role:
        abort(404)
    if ActionForm().validate_on_submit():
        try:
            approve(found.id, current_user._get_current_object(), seen_version=request.form.get("version", ""))
        except ApprovalError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Godkänt: {found.title}.", "success")
    return redirect(url_for(".detail", request_id=found.id))


@bp.post("/<int:request_id>/godkann-utskick")
@needs(Role.UTSKICK, "Godkände ett utskick")
def approve_send(request_id: int):
    return _approve(request_id, Role.UTSKICK)


@bp.post("/<int:request_id>/godkann-publicering")
@needs(Role.PUBLICERING, "Godkände en ändring av publiceringen")
def approve_publication(request_id: int):
    return _approve(request_id, Role.PUBLICERING)


@bp.post("/<int:request_id>/ta-tillbaka")
@needs(LOGIN, "Tog tillbaka en begäran om godkännande")
def withdraw(request_id: int):
    found = _request_or_404(request_id)
    if ActionForm().validate_on_submit():
        try:
            withdraw_own(found.id, current_user._get_current_object())
        except ApprovalError as exc:
            flash(str(exc), "error")
        else:
            flash("Begäran är tillbakatagen. Inget skickas eller ändras.", "success")
    return redirect(url_for(".detail", request_id=found.id))


def setup(app) -> None:
    """Give templates the waiting requests (the staff overview) and the request of a newsletter or a send."""
    from .services import latest

    def send_approval(send):
        return latest("send", send_id=send.id)

    def newsletter_approval(newsletter):
        return latest("newsletter", newsletter_id=newsletter.id)

    app.jinja_env.globals.update(waiting_approvals=waiting, send_approval=send_approval,
                                 newsletter_approval=newsletter_approval, approval_overdue=overdue)
