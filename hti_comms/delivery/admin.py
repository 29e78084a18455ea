"""Staff pages: the outbox (every send with live counts, pause/resume/cancel) and the test email."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import and_, func, or_, select

from ..auth.roles import Role
from .. import clock
from ..staff import needs, staff_blueprint
from ..extensions import db
from ..formatting import format_datetime
from ..scheduling.localtime import dst_note, stockholm_to_utc
from ..security import email_document
from .confirm import SHOWN, is_confirmed, people_text, preview_recipients
from .outbox import BUILD_FAILED
from .forms import ActionForm, TestEmailForm
from .models import OutboxMessage, OutboxStatus, Send, SendStatus, can_cancel, can_pause, can_resume
from .services import (
    DeliveryError, cancel_send, pause_send, queue_test_email, resume_send, send_counts, validate_email,
)
from .unknowns import Decision, status_text, unknown_count
from .render import render_preview, rendering_of

bp = staff_blueprint("delivery_admin", __name__, "/utkorg")

PAGE_SIZE = 50
PROBLEM_STATUSES = (OutboxStatus.UNKNOWN, OutboxStatus.FAILED, OutboxStatus.DEFERRED)
#: The rows a resumed send goes on to (after a stop by the engine, rows that failed to build go again too).
WAITING_STATUSES = (OutboxStatus.QUEUED, OutboxStatus.DEFERRED, OutboxStatus.SENDING)


def _counts_by_send(send_ids: list[int]) -> dict[int, dict[str, int]]:
    counts = {send_id: {status.value: 0 for status in OutboxStatus} for send_id in send_ids}
    rows = db.session.execute(select(OutboxMessage.send_id, OutboxMessage.status, func.count())
                              .where(OutboxMessage.send_id.in_(send_ids))
                              .group_by(OutboxMessage.send_id, OutboxMessage.status))
    for send_id, status, count in rows:
        counts[send_id][status.value] = count
    for values in counts.values():
        values["total"] = sum(values.values())
    return counts


@bp.route("/")
def sends():
    page = max(request.args.get("sida", 1, type=int), 1)
    items = list(db.session.scalars(select(Send).order_by(Send.id.desc())
                                    .limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)))
    has_more = len(items) > PAGE_SIZE
    items = items[:PAGE_SIZE]
    unknown_total = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status == OutboxStatus.UNKNOWN))
    # Every send the engine stopped, on every page of the list: someone has to act on it.
    flagged = list(db.session.scalars(select(Send).where(Send.status == SendStatus.PAUSED,
                                                         Send.pause_reason.is_not(None)).order_by(Send.id.desc())))
    counts = _counts_by_send([s.id for s in items])
    return render_template("web/delivery/sends.html", sends=items, counts=counts,
                           status_texts={s.id: status_text(s, counts[s.id]) for s in items},
                           page=page, has_more=has_more, unknown_total=unknown_total, flagged=flagged,
                           list_names=_list_names())


def _list_names() -> dict[str, str]:
    """Return the names staff know the mailing lists by, keyed by the code a send stores ("lokala-resultat")."""
    from ..subscribers.services import all_lists  # the subscribers domain owns the lists; looked up, not copied

    return {mailing_list.key: mailing_list.name for mailing_list in all_lists()}


def _send_or_404(send_id: int) -> Send:
    send = db.session.get(Send, send_id)
    if send is None:
        abort(404)
    return send


@bp.route("/<int:send_id>")
def send_detail(send_id: int):
    send = _send_or_404(send_id)
    problems = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.send_id == send_id, OutboxMessage.status.in_(PROBLEM_STATUSES))
        .order_by(OutboxMessage.status, OutboxMessage.id).limit(200)))
    counts = send_counts(send_id)
    return render_template("web/delivery/send.html", send=send, counts=counts, problems=problems,
                           status_text=status_text(send, counts), form=ActionForm(), list_names=_list_names(),
                           decisions=Decision,
                           can_pause=can_pause(send), can_resume=can_resume(send), can_cancel=can_cancel(send),
                           is_running=send.status in (SendStatus.SENDING, SendStatus.SCHEDULED))


#: Recipients per page of a send's recipient list.
RECIPIENT_PAGE_SIZE = 100


@bp.route("/<int:send_id>/mottagare")
def send_recipients(send_id: int):
    """Everyone a send goes or went to, with what happened (status in Swedish, time, error), a page at a time."""
    send = _send_or_404(send_id)
    counts = send_counts(send_id)
    shown = {status.value: status for status in OutboxStatus}.get(request.args.get("status", ""))
    query = select(OutboxMessage).where(OutboxMessage.send_id == send_id)
    if shown is not None:
        query = query.where(OutboxMessage.status == shown)
    total = counts[shown.value] if shown is not None else counts["total"]
    pages = max(1, -(-total // RECIPIENT_PAGE_SIZE))
    page = min(max(1, request.args.get("sida", 1, type=int)), pages)
    messages = list(db.session.scalars(query.order_by(OutboxMessage.id).limit(RECIPIENT_PAGE_SIZE)
                                       .offset((page - 1) * RECIPIENT_PAGE_SIZE)))
    statuses = [(status, counts[status.value]) for status in OutboxStatus if counts[status.value]]
    return render_template("web/delivery/recipients.html", send=send, messages=messages, counts=counts,
                           statuses=statuses, shown=shown, total=total, page=page, pages=pages)


#: What the staff preview shows instead of a recipient's personal link.
MASKED_LINK = "(personlig länk, visas inte här)"


def _masked(fields: dict[str, str]) -> dict[str, str]:
    """Hide personal links (a password reset, an embargoed summary, a data export) from the staff preview: they
    open something for that recipient alone, and staff must not be able to use them."""
    return {key: MASKED_LINK if str(value).startswith(("http://", "https://")) else value
            for key, value in fields.items()}


def _preview(send: Send) -> tuple[OutboxMessage, str, str]:
    """Return the send's first recipient (or an example) and (html, text) as they get the message, without the
    recipient's personal links (their unsubscribe and preference links lead to a page saying they are invalid)."""
    first = db.session.scalar(select(OutboxMessage).where(OutboxMessage.send_id == send.id)
                              .order_by(OutboxMessage.id).limit(1))
    recipient = first or OutboxMessage(email="exempel@example.se", name="Förnamn Efternamn", fields={})
    html, text = render_preview(send.template, send.context or {}, subject=send.subject, list_key=send.list_key,
                                email=recipient.email, name=recipient.name, fields=_masked(recipient.fields or {}),
                                link_key=None, rendered=rendering_of(send))  # what the recipients get
    return recipient, html, text


@bp.route("/<int:send_id>/brevet")
def send_preview(send_id: int):
    send = _send_or_404(send_id)
    recipient, _html, text = _preview(send)
    return render_template("web/delivery/preview.html", send=send, recipient=recipient, text=text,
                           html_url=url_for(".send_preview_html", send_id=send_id), attachments=send.attachments)


@bp.route("/<int:send_id>/brevet.html")
def send_preview_html(send_id: int):
    _recipient, html, _text = _preview(_send_or_404(send_id))
    return email_document(html)


@bp.route("/<int:send_id>/status.json")
def send_status(send_id: int):
    send = _send_or_404(send_id)
    counts = send_counts(send_id)
    return jsonify(status=send.status.value, status_label=status_text(send, counts),
                   pause_reason=send.pause_reason if send.is_flagged else None,
                   counts=counts,
                   finished_at=format_datetime(send.finished_at) if send.finished_at else None)


def _act(send_id: int, action, done_message: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(send_id)
        flash(done_message, "success")
    except DeliveryError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".send_detail", send_id=send_id))


@bp.post("/<int:send_id>/pausa")
@needs(Role.UTSKICK, "Pausade ett utskick")
def pause(send_id: int):
    return _act(send_id, pause_send, "Utskicket är pausat. Brev som redan var på väg skickas klart.")


@bp.route("/<int:send_id>/fortsatt", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Lät ett utskick fortsätta", get=True)
def resume(send_id: int):
    """Ask first (who is still waiting for it, by name), then let the send go on."""
    send = _send_or_404(send_id)
    if not can_resume(send):
        flash("Utskicket är inte pausat.", "error")
        return redirect(url_for(".send_detail", send_id=send_id))
    if not is_confirmed():
        goes_on = OutboxMessage.status.in_(WAITING_STATUSES)
        if send.is_flagged:
            goes_on = or_(goes_on, and_(OutboxMessage.status == OutboxStatus.FAILED,
                                        OutboxMessage.last_error.startswith(BUILD_FAILED, autoescape=True)))
        waiting = select(OutboxMessage).where(OutboxMessage.send_id == send_id, goes_on)
        total = db.session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
        people = db.session.scalars(waiting.order_by(OutboxMessage.id).limit(SHOWN))
        unknown = unknown_count(send_id)
        return render_template(
            "web/admin/send_confirm.html", preview=preview_recipients(people, total),
            back_url=url_for(".send_detail", send_id=send_id),
            what=f"”{send.subject}” fortsätter till dem som inte har fått brevet än. Den som redan har fått det "
                 "får det inte igen.",
            note=(f"{people_text(unknown).capitalize()} med okänt utfall får inget nu; bestäm om dem på "
                  "utskickets sida." if unknown else None),
            button=f"Ja, fortsätt till {people_text(total)}")
    return _act(send_id, resume_send, "Utskicket fortsätter. Den som redan fått brevet får det inte igen.")


@bp.post("/<int:send_id>/avbryt")
@needs(Role.UTSKICK, "Avbröt ett utskick")
def cancel(send_id: int):
    return _act(send_id, cancel_send, "Utskicket är avbrutet. Brev som inte skickats skickas inte.")


@bp.route("/provbrev", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Skickade ett provbrev", get=True)
def test_email():
    form = TestEmailForm()
    if form.validate_on_submit():
        scheduled_at = None
        if form.send_at.data:
            scheduled_at = stockholm_to_utc(form.send_at.data)
            if scheduled_at <= clock.now():
                form.send_at.errors.append("Tiden har redan passerat. Välj en senare tid eller lämna fältet tomt.")
        if not form.send_at.errors:
            try:
                validate_email(form.email.data)
            except (DeliveryError, ValueError) as exc:
                form.email.errors.append(str(exc))
        if not form.send_at.errors and not form.email.errors and not is_confirmed():
            return render_template("web/delivery/test_email_confirm.html", form=form,
                                   preview=preview_recipients([OutboxMessage(email=form.email.data.strip(),
                                                                             name=form.name.data or "")]),
                                   when=_scheduled_message(form.send_at.data, None))
        if not form.send_at.errors and not form.email.errors:
            try:
                send = queue_test_email(form.email.data, name=form.name.data or "", note=form.note.data or "",
                                        sent_by=current_user.display_name, scheduled_at=scheduled_at)
            except DeliveryError as exc:
                form.email.errors.append(str(exc))
            else:
                flash(_scheduled_message(form.send_at.data, send), "success")
                return redirect(url_for(".send_detail", send_id=send.id))
    return render_template("web/delivery/test_email.html", form=form)


def _scheduled_message(local, send: Send | None) -> str:
    """Say when the test email goes; without a send (the confirmation step) from the form's time alone."""
    if local is None:
        return ("Provbrevet ligger i utkorgen och skickas inom några sekunder." if send is not None
                else "Provbrevet skickas inom några sekunder.")
    when = format_datetime(send.scheduled_at if send is not None else stockholm_to_utc(local))
    return dst_note(local, "Provbrevet skickas") or f"Provbrevet skickas {when}."
