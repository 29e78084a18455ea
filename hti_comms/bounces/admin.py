"""Staff pages: list health (bounce and complaint rates), what came back for staff to look at, lifting a
suppression; and the part of each contact page about bounces and complaints."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from .. import clock
from ..addresses import lookup_form
from ..auth.roles import Role
from ..delivery import returns
from ..extensions import db
from ..forms import Form
from ..staff import needs, staff_blueprint
from .health import COMPLAINT_ALARM, COMPLAINT_WARN, HARD_BOUNCE_WARN, ListHealth, list_health, send_health
from .models import FOR_STAFF, BounceReport, SuppressionLift
from .services import reports_for, soft_bounces

bp = staff_blueprint("bounces_admin", __name__, "/studsar")


class LiftForm(Form):
    email = HiddenField()
    back = HiddenField()
    reason = TextAreaField("Varför får adressen e-post igen?", validators=[
        DataRequired("Skriv varför spärren hävs, till exempel att personen har bytt till en fungerande adress."),
        Length(max=1000, message="Högst 1 000 tecken.")])


@bp.route("/")
def index():
    sends = send_health()
    kept = list(db.session.scalars(select(BounceReport).where(BounceReport.kind.in_(FOR_STAFF))
                                   .order_by(BounceReport.received_at.desc(), BounceReport.id.desc()).limit(100)))
    return render_template("web/bounces/admin/index.html", lists=list_health(sends), sends=sends, kept=kept,
                           thresholds=(COMPLAINT_WARN, COMPLAINT_ALARM, HARD_BOUNCE_WARN))


@bp.route("/brev/<int:report_id>")
def report(report_id: int):
    found = db.session.get(BounceReport, report_id)
    if found is None:
        abort(404)
    text = found.raw.decode("utf-8", "replace") if found.raw else None
    return render_template("web/bounces/admin/report.html", report=found, text=text)


@bp.route("/hav-sparr", methods=["POST"])
@needs(Role.UTSKICK, "Hävde en spärr mot e-post")
def lift():
    form = LiftForm()
    back = form.back.data if (form.back.data or "").startswith("/admin/") else url_for(".index")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(back)
    email = lookup_form(form.email.data or "")
    previous = returns.lift_suppression(email)
    if previous is None:
        flash("Adressen var inte spärrad.", "error")
        return redirect(back)
    db.session.add(SuppressionLift(email=email, previous_reason=previous, reason=form.reason.data.strip(),
                                   lifted_by=current_user.email, lifted_at=clock.now()))
    db.session.commit()
    flash("Spärren är hävd: adressen kan få utskick igen.", "success")
    return redirect(back)


def returned_mail(email: str) -> dict:
    """Return what the contact page shows about an address: its suppression, reports and lifted suppressions."""
    address = lookup_form(email)
    form = LiftForm(formdata=None, email=address, back=request.path)
    return {
        "suppression": returns.suppression_of(address),
        "reports": reports_for(address),
        "soft_bounces": soft_bounces(address, clock.now())[0],
        "lifts": list(db.session.scalars(select(SuppressionLift).where(SuppressionLift.email == address)
                                         .order_by(SuppressionLift.lifted_at.desc()))),
        "form": form,
    }


#: Why an address is suppressed (`Suppression.reason`), as the contact page says it.
REASONS = {
    "hard_bounce": "adressen finns inte eller tar inte emot e-post",
    "soft_bounces": "tillfälliga fel flera dagar inom en månad",
    "complaint": "personen anmälde ett brev som skräppost",
    "unsubscribed": "personen avslutade alla utskick",
    "staff": "spärrad av personalen",
}


def returned_for_send(send_id: int) -> ListHealth:
    """Return one send's bounces and complaints against what was sent (the outbox and newsletter pages)."""
    send = next(iter(send_health(send_ids=[send_id])), None)
    if send is None:
        return ListHealth("", 0, 0, 0, 0)
    return ListHealth(send.list_key, send.sent, send.hard, send.soft, send.complaints)


def setup(app) -> None:
    """Let the contact, outbox and newsletter pages show the bounces parts without importing this domain."""
    app.add_template_global(returned_mail, "returned_mail")
    app.add_template_global(returned_for_send, "returned_for_send")
    app.add_template_filter(lambda reason: REASONS.get(reason, reason), "suppression_reason")
