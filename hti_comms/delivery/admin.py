"""Staff pages: the outbox (every send with live counts, pause/resume/cancel) and Testpost (the local sink)."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .. import clock
from ..staff import staff_blueprint
from ..extensions import db
from ..formatting import format_datetime
from ..scheduling.localtime import is_repeated, is_skipped, stockholm_to_utc
from ..security import email_document
from .forms import ActionForm, TestEmailForm
from .models import OutboxMessage, OutboxStatus, Send, SendStatus, SinkMessage, can_cancel, can_pause, can_resume
from .services import DeliveryError, cancel_send, pause_send, queue_test_email, resolve_unknown, resume_send, send_counts
from .render import render_preview
from .sink import clear_sink, parse, sink_messages

bp = staff_blueprint("delivery_admin", __name__, "/utkorg")
#: Its own blueprint so the staff menu marks "Testpost" and "Utkorg" separately.
sink_bp = staff_blueprint("testpost_admin", __name__, "/testpost")

PAGE_SIZE = 50
#: Swedish names for the header fields Testpost shows (the technical name is shown under each).
HEADER_NAMES = {
    "from": "Avsändare", "to": "Mottagare", "subject": "Ämne", "date": "Skickat", "reply-to": "Svar går till",
    "message-id": "Brevets id", "mime-version": "MIME-version", "content-type": "Innehållets typ",
    "content-transfer-encoding": "Kodning", "list-unsubscribe": "Länk för att avregistrera sig",
    "list-unsubscribe-post": "Avregistrering med ett klick", "list-id": "Utskickslistans id",
    "dkim-signature": "Digital signatur (DKIM)",
}
PROBLEM_STATUSES = (OutboxStatus.UNKNOWN, OutboxStatus.FAILED, OutboxStatus.DEFERRED)


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
    return render_template("web/delivery/sends.html", sends=items, counts=_counts_by_send([s.id for s in items]),
                           page=page, has_more=has_more, unknown_total=unknown_total)


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
    return render_template("web/delivery/send.html", send=send, counts=send_counts(send_id), problems=problems,
                           form=ActionForm(),
                           can_pause=can_pause(send), can_resume=can_resume(send), can_cancel=can_cancel(send),
                           is_running=send.status in (SendStatus.SENDING, SendStatus.SCHEDULED))


def _preview(send: Send) -> tuple[OutboxMessage, str, str]:
    """Return the send's first recipient (or an example) and (html, text) as they get the message."""
    first = db.session.scalar(select(OutboxMessage).where(OutboxMessage.send_id == send.id)
                              .order_by(OutboxMessage.id).limit(1))
    recipient = first or OutboxMessage(email="exempel@example.se", name="Förnamn Efternamn", fields={})
    html, text = render_preview(send.template, send.context or {}, subject=send.subject, list_key=send.list_key,
                                email=recipient.email, name=recipient.name, fields=recipient.fields or {},
                                link_key=recipient.link_key)
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
    return jsonify(status=send.status.value, status_label=send.status.label,
                   counts=send_counts(send_id),
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
def pause(send_id: int):
    return _act(send_id, pause_send, "Utskicket är pausat. Brev som redan var på väg skickas klart.")


@bp.post("/<int:send_id>/fortsatt")
def resume(send_id: int):
    return _act(send_id, resume_send, "Utskicket fortsätter. Den som redan fått brevet får det inte igen.")


@bp.post("/<int:send_id>/avbryt")
def cancel(send_id: int):
    return _act(send_id, cancel_send, "Utskicket är avbrutet. Brev som inte skickats skickas inte.")


@bp.post("/meddelande/<int:outbox_id>/skicka-igen")
def resend_unknown(outbox_id: int):
    return _decide_unknown(outbox_id, resend=True)


@bp.post("/meddelande/<int:outbox_id>/rakna-som-skickat")
def count_unknown_as_sent(outbox_id: int):
    return _decide_unknown(outbox_id, resend=False)


def _decide_unknown(outbox_id: int, *, resend: bool):
    if not ActionForm().validate_on_submit():
        abort(400)
    message = db.session.get(OutboxMessage, outbox_id)
    if message is None:
        abort(404)
    try:
        resolve_unknown(outbox_id, resend=resend)
        flash("Brevet skickas igen." if resend else "Brevet räknas som skickat.", "success")
    except DeliveryError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".send_detail", send_id=message.send_id))


@bp.route("/provbrev", methods=["GET", "POST"])
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
                send = queue_test_email(form.email.data, name=form.name.data or "", note=form.note.data or "",
                                        sent_by=current_user.display_name, scheduled_at=scheduled_at)
            except DeliveryError as exc:
                form.email.errors.append(str(exc))
            else:
                flash(_scheduled_message(form.send_at.data, send), "success")
                return redirect(url_for(".send_detail", send_id=send.id))
    return render_template("web/delivery/test_email.html", form=form)


def _scheduled_message(local, send: Send) -> str:
    if local is None:
        return "Provbrevet ligger i utkorgen och skickas inom några sekunder."
    when = format_datetime(send.scheduled_at)
    if is_skipped(local):
        return (f"Klockslaget {local:%H.%M} finns inte den dagen (klockan ställs fram en timme). "
                f"Provbrevet skickas {when}.")
    if is_repeated(local):
        return (f"Klockslaget {local:%H.%M} inträffar två gånger den dagen (klockan ställs tillbaka). "
                f"Provbrevet skickas den första gången, {when} sommartid.")
    return f"Provbrevet skickas {when}."


@sink_bp.route("/")
def index():
    return render_template("web/delivery/sink.html", messages=sink_messages(), form=ActionForm())


def _sink_message_or_404(message_id: int):
    stored = db.session.get(SinkMessage, message_id)
    if stored is None:
        abort(404)
    return stored, parse(stored.raw)


@sink_bp.route("/<int:message_id>")
def message(message_id: int):
    stored, message = _sink_message_or_404(message_id)
    html_part = message.get_body(("html",))
    text_part = message.get_body(("plain",))
    attachments = [(part.get_filename() or "(utan namn)", part.get_content_type()) for part in message.iter_attachments()]
    return render_template("web/delivery/sink_message.html", stored=stored, headers=list(message.items()),
                           html_url=url_for(".message_html", message_id=message_id) if html_part else None,
                           header_names=HEADER_NAMES,
                           text=text_part.get_content() if text_part else None, attachments=attachments)


@sink_bp.route("/<int:message_id>/brevet.html")
def message_html(message_id: int):
    _stored, message = _sink_message_or_404(message_id)
    html_part = message.get_body(("html",))
    if html_part is None:
        abort(404)
    return email_document(html_part.get_content())


@sink_bp.post("/tom")
def clear():
    if not ActionForm().validate_on_submit():
        abort(400)
    removed = clear_sink()
    flash(f"{removed} brev togs bort ur testposten.", "success")
    return redirect(url_for(".index"))
