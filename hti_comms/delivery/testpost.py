"""Staff pages: Testpost, the messages the local mail sink received, shown as a mail program shows them.

The HTML part is its own document in a sandboxed frame whose policy allows images only as data: URLs, so the
message's inline images (cid:) are put in as data: URLs. Attachments (a calendar invitation, a PDF) can be
downloaded, and a text attachment is also shown on the page.
"""
from __future__ import annotations

from ..auth.roles import Role
from ..staff import needs
import io

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for

from ..extensions import db
from ..security import email_document
from ..staff import staff_blueprint
from .forms import ActionForm
from .models import SinkMessage

#: Its own blueprint so the staff menu marks "Testpost" and "Utkorg" separately.
bp = staff_blueprint("testpost_admin", __name__, "/testpost")
# `.sink` (with the email package's header parsers) is imported by the pages that read the sink: every process
# builds the app, and only development with MAIL_SINK shows these pages.
#: Swedish names for the header fields Testpost shows (the technical name is shown under each).
HEADER_NAMES = {
    "from": "Avsändare", "to": "Mottagare", "subject": "Ämne", "date": "Skickat", "reply-to": "Svar går till",
    "message-id": "Brevets id", "mime-version": "MIME-version", "content-type": "Innehållets typ",
    "content-transfer-encoding": "Kodning", "list-unsubscribe": "Länk för att avregistrera sig",
    "list-unsubscribe-post": "Avregistrering med ett klick", "list-id": "Utskickslistans id",
    "dkim-signature": "Digital signatur (DKIM)",
}


@bp.before_request
def only_with_the_local_sink():
    """Testpost exists only where the local mail sink receives the mail (MAIL_SINK); elsewhere it is not found."""
    if not current_app.config["MAIL_SINK"]:
        abort(404)


@bp.route("/")
def index():
    from .sink import sink_messages

    return render_template("web/delivery/sink.html", messages=sink_messages(), form=ActionForm())


def _sink_message_or_404(message_id: int):
    from .sink import parse

    stored = db.session.get(SinkMessage, message_id)
    if stored is None:
        abort(404)
    return stored, parse(stored.raw)


@bp.route("/<int:message_id>")
def message(message_id: int):
    from .sink import attachments_of, shown_text

    stored, message = _sink_message_or_404(message_id)
    html_part = message.get_body(("html",))
    text_part = message.get_body(("plain",))
    attachments = [{"number": number, "filename": part.get_filename() or f"bilaga-{number}",
                    "content_type": part.get_content_type(), "text": shown_text(part)}
                   for number, part in enumerate(attachments_of(message), start=1)]
    return render_template("web/delivery/sink_message.html", stored=stored, headers=list(message.items()),
                           html_url=url_for(".message_html", message_id=message_id) if html_part else None,
                           header_names=HEADER_NAMES,
                           text=text_part.get_content() if text_part else None, attachments=attachments)


@bp.route("/<int:message_id>/brevet.html")
def message_html(message_id: int):
    from .sink import with_inline_images

    _stored, message = _sink_message_or_404(message_id)
    html_part = message.get_body(("html",))
    if html_part is None:
        abort(404)
    return email_document(with_inline_images(message, html_part.get_content()))


@bp.route("/<int:message_id>/bilaga/<int:number>")
def attachment(message_id: int, number: int):
    """Download an attachment (always as a file: what a message carries never runs as a page of this site)."""
    from .sink import attachment_type, attachments_of

    _stored, message = _sink_message_or_404(message_id)
    parts = attachments_of(message)
    if not 1 <= number <= len(parts):
        abort(404)
    part = parts[number - 1]
    return send_file(io.BytesIO(part.get_payload(decode=True) or b""), mimetype=attachment_type(part),
                     as_attachment=True, download_name=part.get_filename() or f"bilaga-{number}")


@bp.post("/tom")
@needs(Role.REDAKTOR, "Tömde Testpost")
def clear():
    if not ActionForm().validate_on_submit():
        abort(400)
    from .sink import clear_sink

    removed = clear_sink()
    flash(f"{removed} brev togs bort ur testposten.", "success")
    return redirect(url_for(".index"))
