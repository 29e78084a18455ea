"""Sending: test sends to staff, scheduling, the start at the due time, pause/resume/cancel.

A scheduled newsletter puts nothing in the outbox ahead of time. When it is due, the sweep claims it,
runs the pre-send checks again (the embargo rule included), renders it (so section kinds see the real send
moment), resolves the audience in SQL (so unsubscribes until then count), and enqueues one row per recipient,
all in one transaction: either everything is in the outbox, or the newsletter is still waiting.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from .. import clock
from ..auth.models import StaffUser
from ..checks import Finding
from ..delivery import api as delivery
from ..delivery.api import Attachment, EmailSpec, Recipient, SendView, enqueue
from ..extensions import db
from ..formatting import counted
from ..status import can_transition, transition
from ..letters.content import from_email as letter_from_email
from ..letters.services import collect as collect_letters
from .audience import letter_contact_ids, recipients
from .owners import newsletter_owner
from .checks import blocking, check_newsletter
from .models import (
    NEWSLETTER_TRANSITIONS, Newsletter, NewsletterStatus, SectionImage, SentLink, can_schedule, can_unschedule,
)
from .render import email_image_src, image_content_id, render_newsletter, template_name
from .services import NewsletterError, definite, get_newsletter
from .trial_addresses import allowed_test_recipients

log = logging.getLogger(__name__)
TEST_PREFIX = "[TEST] "


def _attachments(newsletter: Newsletter) -> tuple[Attachment, ...]:
    found = []
    for section in newsletter.sections:
        if section.image is not None:
            image: SectionImage = section.image
            found.append(Attachment(image.filename, image.content_type, image.data, image_content_id(section)))
    return tuple(found)


def _spec(newsletter: Newsletter, context: dict, *, test: bool) -> EmailSpec:
    kind = newsletter.kind.value
    return EmailSpec(template=template_name(newsletter), subject=(TEST_PREFIX if test else "") + newsletter.subject,
                     context=context, kind=f"{kind}_test" if test else kind, list_key=newsletter.list_key,
                     attachments=_attachments(newsletter),
                     reference=None if test else f"newsletter:{newsletter.id}",
                     owner=newsletter_owner(newsletter.id, test=test))


def send_test(newsletter: Newsletter, emails: list[str]) -> SendView:
    """Send the newsletter as it looks now to staff logins and confirmed test addresses, subject "[TEST] …"; links
    go direct."""
    allowed = {email: name for email, name in allowed_test_recipients()}
    chosen = [e.strip().lower() for e in emails if e.strip()]
    if not chosen:
        raise NewsletterError("Välj minst en adress att skicka provet till.")
    strangers = [e for e in chosen if e not in allowed]
    if strangers:
        raise NewsletterError(f"Prov skickas bara till personalens adresser och bekräftade provadresser; "
                              f"{', '.join(strangers)} är ingen personaladress eller bekräftad provadress.")
    rendered = render_newsletter(newsletter, purpose="test", image_src=email_image_src)
    send = enqueue(_spec(newsletter, rendered.context, test=True), [Recipient(e, allowed[e]) for e in chosen])
    db.session.commit()
    return send


def schedule(newsletter: Newsletter, send_at: datetime | None, confirmed_warnings: list[str], *,
             requested_by: StaffUser | None = None) -> list[Finding]:
    """Schedule the newsletter for `send_at` (UTC; None = now) after the checks; return the findings.

    `requested_by`: the staff member who pressed send on the web; to more than APPROVAL_THRESHOLD recipients the
    newsletter then waits for a second person with the role utskick. Without one (the command line, the operator)
    it needs no approval. Raises NewsletterError when an error or an unconfirmed warning stops it.
    """
    if not can_schedule(newsletter):
        raise NewsletterError(f"{definite(newsletter)} har redan börjat skickas.")
    now = clock.now()
    send_at = send_at or now
    if send_at < now.replace(second=0, microsecond=0):
        raise NewsletterError("Tiden har redan passerat. Välj en senare tid, eller skicka nu.")
    findings = check_newsletter(newsletter, send_at)
    stopped = blocking(findings, confirmed_warnings)
    if stopped:
        errors = sum(1 for f in stopped if f.is_error)
        unconfirmed = counted(len(stopped) - errors, "obekräftad varning", "obekräftade varningar")
        raise NewsletterError(f"{definite(newsletter)} kan inte skickas: {errors} fel och {unconfirmed}. Se listan.")
    warnings = sorted({f.message for f in findings if not f.is_error})
    if not _mark_scheduled(newsletter.id, send_at, warnings):
        db.session.rollback()
        raise NewsletterError(already_started(newsletter))
    _ask_for_approval(newsletter, send_at, requested_by)
    db.session.commit()
    return findings


def _ask_for_approval(newsletter: Newsletter, send_at: datetime, requested_by: StaffUser | None) -> None:
    from ..approvals.services import ask, needs_approval, withdraw
    from ..auth.roles import Role
    from .audience import names_sentence, recipient_count
    from .services import content_digest

    count = recipient_count(newsletter) if requested_by is not None else 0
    if not needs_approval(count):
        withdraw("newsletter", note="Behövs inte längre.", newsletter_id=newsletter.id)
        return
    db.session.refresh(newsletter)
    ask("newsletter", Role.UTSKICK, requested_by=requested_by, title=f"{newsletter.kind.label}: {newsletter.subject}",
        audience=names_sentence(newsletter, count), recipient_count=count,
        due_at=send_at if send_at > clock.now() else None, version=content_digest(newsletter),
        newsletter_id=newsletter.id)


def waits_for_approval(newsletter: Newsletter) -> bool:
    from ..approvals.services import newsletter_may_start

    return newsletter.status is NewsletterStatus.SCHEDULED and not newsletter_may_start(newsletter)


def already_started(newsletter: Newsletter) -> str:
    """Return the sentence for a newsletter that someone else started meanwhile (another command, the sweep)."""
    return (f"{definite(newsletter)} har redan börjat skickas: det startades samtidigt någon annanstans. "
            f"Se hur det går med hti newsletter status {newsletter.id}.")


def _mark_scheduled(newsletter_id: int, send_at: datetime, warnings: list[str]) -> bool:
    """Schedule a draft (or move a scheduled newsletter) with one conditional UPDATE; return whether it did.

    What this process read may be out of date: another `hti newsletter send` or the sweep may have started the
    newsletter since. Only the database can tell, at the moment of writing; a started one is left as it is.
    """
    assert can_transition(NEWSLETTER_TRANSITIONS, NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED)
    return db.session.execute(
        update(Newsletter).where(Newsletter.id == newsletter_id,
                                 Newsletter.stage.in_((NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED)))
        .values(stage=NewsletterStatus.SCHEDULED, scheduled_at=send_at, stopped_reason=None,
                confirmed_warnings=warnings)
        .execution_options(synchronize_session=False)).rowcount == 1


def unschedule(newsletter: Newsletter, *, withdraw_approval: bool = True) -> None:
    """Take a scheduled newsletter back to draft (it has not started); a request for approval goes with it."""
    if not can_unschedule(newsletter):
        raise NewsletterError(f"{definite(newsletter)} är inte schemalagt.")
    transition(newsletter, NewsletterStatus.DRAFT, NEWSLETTER_TRANSITIONS)
    newsletter.scheduled_at = None
    if withdraw_approval:
        from ..approvals.services import withdraw

        withdraw("newsletter", note="Schemaläggningen ångrades.", newsletter_id=newsletter.id)
    db.session.commit()


def _claim(newsletter_id: int, now: datetime) -> bool:
    """Move a due newsletter from scheduled to sending with one conditional UPDATE (safe if two sweeps run)."""
    assert can_transition(NEWSLETTER_TRANSITIONS, NewsletterStatus.SCHEDULED, NewsletterStatus.SENDING)
    return db.session.execute(
        update(Newsletter).where(Newsletter.id == newsletter_id, Newsletter.stage == NewsletterStatus.SCHEDULED,
                                 Newsletter.scheduled_at <= now)
        .values(stage=NewsletterStatus.SENDING, started_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1


def _stop(newsletter_id: int, reason: str) -> None:
    assert can_transition(NEWSLETTER_TRANSITIONS, NewsletterStatus.SCHEDULED, NewsletterStatus.DRAFT)
    db.session.execute(update(Newsletter).where(Newsletter.id == newsletter_id,
                                                Newsletter.stage == NewsletterStatus.SCHEDULED)
                       .values(stage=NewsletterStatus.DRAFT, stopped_reason=reason, scheduled_at=None))
    db.session.commit()


def start(newsletter_id: int) -> SendView | None:
    """Start one due newsletter: claim, check, render, enqueue — in one transaction. Return its send.

    One waiting for a second person's approval (or changed since it was approved) is not started: it waits.
    """
    now = clock.now()
    waiting = db.session.get(Newsletter, newsletter_id)
    if waiting is not None and waits_for_approval(waiting):
        db.session.rollback()
        return None
    if not _claim(newsletter_id, now):
        db.session.rollback()
        return None
    newsletter = db.session.get(Newsletter, newsletter_id, populate_existing=True)
    findings = check_newsletter(newsletter, now)
    stopped = blocking(findings, newsletter.confirmed_warnings)
    if stopped:
        db.session.rollback()
        reason = "Kontrollen när utskicket skulle starta stoppade det: " + " ".join(str(f) for f in stopped)
        log.warning("newsletter %s stopped at its start: %s", newsletter_id, reason)
        _stop(newsletter_id, reason)
        return None
    rendered = render_newsletter(newsletter, purpose="send", now=now, image_src=email_image_src)
    archive = render_newsletter(newsletter, purpose="archive", now=now)
    for position, (place, link) in enumerate(rendered.tracked_links):
        db.session.add(SentLink(newsletter_id=newsletter.id, position=position, url=link.url[:2000],
                                text=link.text[:300], place=place[:300], clicks=0))
    counted = [0]

    def counting():
        for recipient in recipients(newsletter):
            counted[0] += 1
            yield recipient

    send = enqueue(_spec(newsletter, rendered.context, test=False), counting())
    # Members whose channel is `brev` get the same content as a printed letter (direct links, as in the archive).
    collect_letters(newsletter_owner(newsletter.id), send.id, letter_contact_ids(newsletter),
                    letter_from_email(_spec(newsletter, archive.context, test=False)))
    newsletter.send_id = send.id
    newsletter.archive = archive.context
    newsletter.recipient_count = counted[0]
    db.session.commit()
    log.info("newsletter %s started: %s recipients", newsletter_id, newsletter.recipient_count)
    return send


def start_due() -> int:
    """Start every scheduled newsletter whose time has come (also those missed while the scheduler was down)."""
    due = list(db.session.scalars(select(Newsletter.id).where(
        Newsletter.stage == NewsletterStatus.SCHEDULED, Newsletter.scheduled_at <= clock.now())
        .order_by(Newsletter.scheduled_at)))
    return sum(1 for newsletter_id in due if start(newsletter_id) is not None)


def _send_of(newsletter: Newsletter) -> int:
    if newsletter.send_id is None or newsletter.status is not NewsletterStatus.SENDING:
        raise NewsletterError(f"{definite(newsletter)} skickas inte just nu.")
    return newsletter.send_id


def pause(newsletter: Newsletter) -> None:
    try:
        delivery.pause_send(_send_of(newsletter))
    except delivery.DeliveryError as exc:
        raise NewsletterError(str(exc)) from None


def resume(newsletter: Newsletter) -> None:
    try:
        delivery.resume_send(_send_of(newsletter))
    except delivery.DeliveryError as exc:
        raise NewsletterError(str(exc)) from None


def cancel(newsletter: Newsletter) -> int:
    """Cancel the rest of a running send: its cancelled send is the newsletter's cancelled state (it leaves the
    archive at once). Return how many messages were cancelled."""
    try:
        return delivery.cancel_send(_send_of(newsletter))
    except delivery.DeliveryError as exc:
        raise NewsletterError(str(exc)) from None


def send_now(newsletter_id: int, confirmed_warnings: list[str]) -> SendView:
    """Schedule for now and start at once, in this process (the CLI; the web leaves the start to the sweep).

    Raises NewsletterError when it does not start: the checks stopped it, or it was started elsewhere meanwhile.
    """
    schedule(get_newsletter(newsletter_id), None, confirmed_warnings)
    send = start(newsletter_id)
    if send is None:
        newsletter = db.session.get(Newsletter, newsletter_id, populate_existing=True)
        if newsletter.status is NewsletterStatus.DRAFT and newsletter.stopped_reason:
            raise NewsletterError(newsletter.stopped_reason)
        raise NewsletterError(already_started(newsletter))
    return send
