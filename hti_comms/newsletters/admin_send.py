"""Staff pages for sending: preview as a recipient, test send, checks, send now or schedule, progress, results."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.roles import Role
from ..staff import needs
from .. import clock
from ..delivery.api import send_view
from ..delivery.render import render_preview
from ..delivery.services import send_counts
from ..delivery.unknowns import status_text
from ..formatting import format_datetime
from ..security import email_document
from ..scheduling.localtime import dst_note, stockholm_to_utc
from ..subscribers.forms import ActionForm, as_choices
from .admin import bp, newsletter_or_404
from .audience import (find_recipient, first_recipients, letter_count, names_sentence, recipient_count, recipient_page,
                       skipped_count)
from .checks import check_newsletter
from .forms import SendForm, TestSendForm
from .models import Newsletter, can_schedule
from .render import preview_image_src, render_newsletter, template_name
from .sending import (TEST_PREFIX, cancel, pause, resume, schedule, send_test, unschedule,
                      waits_for_approval)
from .trial_addresses import allowed_test_recipients
from .services import NewsletterError, definite

EXAMPLE_RECIPIENT = ("exempel@example.se", "Exempel Mottagare", None)


def results(newsletter: Newsletter) -> dict | None:
    """Return the delivery counts and clicks per link of a started newsletter."""
    if newsletter.send_id is None:
        return None
    counts = send_counts(newsletter.send_id)
    send = send_view(newsletter.send_id)
    return {"counts": counts, "status_label": status_text(send, counts),
            "is_running": send.is_running, "delivered": counts["sent"],
            "failed": counts["failed"], "unknown": counts["unknown"],
            "waiting": counts["queued"] + counts["sending"] + counts["deferred"], "links": list(newsletter.links),
            "send_id": newsletter.send_id, "can_pause": send.can_pause, "can_resume": send.can_resume}


def _recipient(newsletter: Newsletter) -> tuple[str, str, str | None]:
    """Return (email, name, link key) of the recipient to preview as: ?mottagare=, else the first one, else an
    example."""
    wanted = request.args.get("mottagare", "").strip()
    if wanted:
        found = find_recipient(newsletter, wanted)
        if found is not None:
            return found[1], found[2], found[3]
    first = first_recipients(newsletter, 1)
    return tuple(first[0][1:]) if first else EXAMPLE_RECIPIENT


def _render_email(newsletter: Newsletter, recipient: tuple[str, str, str | None]) -> tuple[str, str]:
    email, name, link_key = recipient
    rendered = render_newsletter(newsletter, purpose="preview", image_src=preview_image_src)
    return render_preview(template_name(newsletter), rendered.context, subject=newsletter.subject,
                          list_key=newsletter.list_key, email=email, name=name, link_key=link_key)


@bp.route("/<int:newsletter_id>/forhandsgranska")
def preview(newsletter_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    recipient = _recipient(newsletter)
    email, name, _link_key = recipient
    wanted = request.args.get("mottagare", "").strip()
    _html, text = _render_email(newsletter, recipient)
    return render_template("web/newsletters/admin/preview.html", newsletter=newsletter, email=email, name=name,
                           text=text, findings=check_newsletter(newsletter), recipients=first_recipients(newsletter),
                           not_found=bool(wanted) and wanted.lower() != email,
                           frame_url=url_for(".preview_html", newsletter_id=newsletter.id, mottagare=email))


@bp.route("/<int:newsletter_id>/forhandsgranska/brev.html")
def preview_html(newsletter_id: int):
    """Return the email's HTML as the chosen recipient gets it, for the preview frames."""
    newsletter = newsletter_or_404(newsletter_id)
    html, _text = _render_email(newsletter, _recipient(newsletter))
    return email_document(html)


@bp.route("/<int:newsletter_id>/prov", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Skickade ett prov", get=True)
def test_send(newsletter_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    form = TestSendForm()
    form.addresses.choices = as_choices([(email, f"{name} <{email}>" if name != email else email)
                                         for email, name in allowed_test_recipients()])
    if request.method == "GET":
        form.addresses.data = [current_user.email]
    if form.validate_on_submit():
        try:
            send = send_test(newsletter, form.addresses.data or [])
        except NewsletterError as exc:
            form.addresses.errors = [*form.addresses.errors, str(exc)]
        else:
            flash(f"Provet ligger i utkorgen med ämnesraden ”{TEST_PREFIX}{newsletter.subject}” och skickas inom "
                  "några sekunder.", "success")
            return redirect(url_for("delivery_admin.send_detail", send_id=send.id))
    return render_template("web/newsletters/admin/test_send.html", form=form, newsletter=newsletter,
                           findings=check_newsletter(newsletter))


def _when(form: SendForm) -> tuple[datetime | None, datetime | None]:
    """Return (local wall-clock time, UTC instant) of the form, (None, None) for "now"; errors go on the form."""
    if form.when.data != "later":
        return None, None
    if form.date.data is None:
        form.date.errors = [*form.date.errors, "Välj ett datum."]
    if form.time.data is None:
        form.time.errors = [*form.time.errors, "Välj ett klockslag, till exempel 09:00."]
    if form.date.errors or form.time.errors:
        return None, None
    local = datetime.combine(form.date.data, form.time.data)
    send_at = stockholm_to_utc(local)
    if send_at <= clock.now():
        form.date.errors = [*form.date.errors, "Tiden har redan passerat. Välj en senare tid eller ”Nu”."]
        return None, None
    return local, send_at


def when_text(local: datetime | None, send_at: datetime | None) -> str:
    """Return the Swedish sentence saying when it goes, with the DST rule when it applied."""
    if send_at is None:
        return "Utskicket startar inom några sekunder."
    return dst_note(local, "Utskicket startar") or f"Utskicket startar {format_datetime(send_at)}."


@bp.route("/<int:newsletter_id>/skicka", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Skickade eller schemalade ett nyhetsbrev eller cirkulär", get=True)
def send(newsletter_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    if not can_schedule(newsletter):
        flash(f"{definite(newsletter)} har redan börjat skickas.", "error")
        return redirect(url_for(".show", newsletter_id=newsletter.id))
    form = SendForm()
    valid = request.method == "POST" and form.validate()
    local, send_at = _when(form) if valid else (None, None)
    findings = check_newsletter(newsletter, send_at)
    warnings = [f.message for f in findings if not f.is_error]
    has_errors = any(f.is_error for f in findings)
    count, letters = recipient_count(newsletter), letter_count(newsletter)
    if valid and not form.date.errors and not form.time.errors and not has_errors:
        if warnings and not form.accept_warnings.data:
            form.accept_warnings.errors = ["Läs varningarna och kryssa i rutan för att skicka ändå."]
        elif request.form.get("step") == "confirm":
            return _confirm(newsletter, send_at, request.form.getlist("warning"), local)
        else:
            return render_template("web/newsletters/admin/send_confirm.html", newsletter=newsletter, form=form,
                                   count=count, letters=letters, names=names_sentence(newsletter, count),
                                   when=when_text(local, send_at), warnings=warnings)
    return render_template("web/newsletters/admin/send.html", newsletter=newsletter, form=form, findings=findings,
                           has_errors=has_errors, warnings=warnings, count=count, letters=letters,
                           names=names_sentence(newsletter, count), skipped=skipped_count(newsletter))


@bp.route("/<int:newsletter_id>/mottagare")
def recipients(newsletter_id: int):
    """List who gets the newsletter now, or who it went to and how it went."""
    newsletter = newsletter_or_404(newsletter_id)
    return render_template("web/newsletters/admin/recipients.html", newsletter=newsletter,
                           result=recipient_page(newsletter, request.args.get("sida", 1, type=int)))


def _confirm(newsletter: Newsletter, send_at, confirmed: list[str], local):
    try:
        schedule(newsletter, send_at, confirmed, requested_by=current_user._get_current_object())
    except NewsletterError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".send", newsletter_id=newsletter.id))
    if waits_for_approval(newsletter):
        flash(f"{definite(newsletter)} väntar på att en andra person med rollen Utskick godkänner det. "
              f"{when_text(local, send_at)} Godkänns det inte i tid väntar det, och skickas inte förrän någon "
              "godkänner det.", "success")
        return redirect(url_for(".show", newsletter_id=newsletter.id))
    flash(f"{definite(newsletter)} är klart att skickas. {when_text(local, send_at)}", "success")
    return redirect(url_for(".show", newsletter_id=newsletter.id))


def _act(newsletter_id: int, action, done: str):
    newsletter = newsletter_or_404(newsletter_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(newsletter)
        flash(done, "success")
    except NewsletterError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".show", newsletter_id=newsletter.id))


@bp.post("/<int:newsletter_id>/ta-tillbaka")
@needs(Role.UTSKICK, "Ångrade en schemaläggning")
def unschedule_view(newsletter_id: int):
    return _act(newsletter_id, unschedule, "Schemaläggningen är ångrad; utskicket är ett utkast igen.")


@bp.post("/<int:newsletter_id>/pausa")
@needs(Role.UTSKICK, "Pausade ett nyhetsbrev")
def pause_view(newsletter_id: int):
    return _act(newsletter_id, pause, "Utskicket är pausat. Brev som redan var på väg skickas klart.")


@bp.post("/<int:newsletter_id>/fortsatt")
@needs(Role.UTSKICK, "Lät ett nyhetsbrev fortsätta")
def resume_view(newsletter_id: int):
    return _act(newsletter_id, resume, "Utskicket fortsätter. Den som redan fått brevet får det inte igen.")


@bp.post("/<int:newsletter_id>/avbryt")
@needs(Role.UTSKICK, "Avbröt ett nyhetsbrev")
def cancel_view(newsletter_id: int):
    return _act(newsletter_id, cancel, "Utskicket är avbrutet. Brev som inte skickats skickas inte.")

