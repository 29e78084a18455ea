"""Business operations on sends, outbox rows and suppressions; each public function owns its transaction
unless it says it works in the caller's."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, exists, func, select, update

from .. import clock
from ..addresses import lookup_form, normalise_address
from ..extensions import db
from .models import (
    WAITING,
    OutboxMessage,
    OutboxStatus,
    Send,
    SendStatus,
    SinkMessage,
    Suppression,
    can_cancel,
    can_pause,
    can_resume,
    transition,
)
from .outbox import BUILD_FAILED


GAVE_UP_AFTER_CRASHES = ("Gav upp efter {attempts} försök: arbetet med brevet avbröts varje gång innan servern "
                         "svarade (en sändningsprocess stannade eller tappade sin reservation).")


class DeliveryError(Exception):
    """An action staff asked for that is not possible now; the message is Swedish."""


def withdraw_list_mail(email: str, list_key: str | None) -> int:
    """Cancel list mail still waiting to go to the address (one list, or every list with None).

    Works in the caller's transaction, so leaving a list takes effect at once, even in the middle of a send.
    """
    sends = select(Send.id).where(Send.list_key.is_not(None) if list_key is None else Send.list_key == list_key)
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.email == email, OutboxMessage.status.in_(WAITING), OutboxMessage.send_id.in_(sends))
        .values(status=OutboxStatus.CANCELLED, retry_after=None)
        .execution_options(synchronize_session=False)).rowcount


# --- suppressions ---------------------------------------------------------------------------------------

def is_suppressed(email: str) -> bool:
    """Return whether list mail to this address is blocked."""
    return db.session.scalar(select(exists().where(Suppression.email == lookup_form(email))))


def suppressed_emails_query() -> Select:
    """Return a SELECT of suppressed (lower-case) emails, for `NOT IN` or an anti-join."""
    return select(Suppression.email)


def suppress(email: str, reason: str, detail: str | None = None) -> None:
    """Add the address to the suppression list in the caller's transaction (no-op when already there)."""
    email = lookup_form(email)
    if not is_suppressed(email):
        db.session.add(Suppression(email=email, reason=reason, detail=detail, created_at=clock.now()))
        db.session.flush()


# --- per person -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SentMessage:
    """What was sent to one address (for the staff contact page)."""

    outbox_id: int
    send_id: int
    kind: str
    subject: str
    status: OutboxStatus
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


def messages_for(email: str) -> list[SentMessage]:
    """Return every outbox row for this address, newest first."""
    email = lookup_form(email)
    rows = db.session.execute(
        select(OutboxMessage, Send.kind, Send.subject).join(Send, Send.id == OutboxMessage.send_id)
        .where(OutboxMessage.email == email).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    return [SentMessage(outbox_id=m.id, send_id=m.send_id, kind=kind, subject=subject, status=m.status,
                        created_at=m.created_at, sent_at=m.sent_at, last_error=m.last_error)
            for m, kind, subject in rows]


def forget_address(email: str) -> int:
    """Erase the address from every delivery table (GDPR erasure) in the caller's transaction; return rows."""
    email = lookup_form(email)
    removed = db.session.execute(delete(OutboxMessage).where(OutboxMessage.email == email)).rowcount
    removed += db.session.execute(delete(Suppression).where(Suppression.email == email)).rowcount
    # The sink stores comma-separated envelope recipients; match whole addresses only.
    candidates = db.session.execute(select(SinkMessage.id, SinkMessage.recipients)
                                    .where(SinkMessage.recipients.contains(email, autoescape=True)))
    sink_ids = [sink_id for sink_id, recipients in candidates if email in recipients.split(",")]
    if sink_ids:
        removed += db.session.execute(delete(SinkMessage).where(SinkMessage.id.in_(sink_ids))).rowcount
    return removed


# --- sends ----------------------------------------------------------------------------------------------

def start_due_sends() -> int:
    """Move scheduled sends whose time has come to sending; return how many (caller commits)."""
    now = clock.now()
    result = db.session.execute(
        update(Send).where(Send.status == SendStatus.SCHEDULED, Send.scheduled_at <= now)
        .values(status=SendStatus.SENDING, started_at=now)
    )
    return result.rowcount


def finish_sends() -> int:
    """Mark sending sends with nothing left to send as done; return how many (caller commits)."""
    pending = select(OutboxMessage.id).where(
        OutboxMessage.send_id == Send.id,
        OutboxMessage.status.in_((*WAITING, OutboxStatus.SENDING)),
    )
    result = db.session.execute(
        update(Send).where(Send.status == SendStatus.SENDING, ~exists(pending))
        .values(status=SendStatus.DONE, finished_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def get_send(send_id: int) -> Send:
    send = db.session.get(Send, send_id)
    if send is None:
        raise DeliveryError("Utskicket finns inte.")
    return send


def pause_send(send_id: int) -> Send:
    """Stop claiming new rows of the send; messages already handed to an SMTP server finish.

    Rows a crashed worker left claimed go back to the queue now, so a paused send holds nothing in flight.
    """
    send = get_send(send_id)
    if not can_pause(send):
        raise DeliveryError("Utskicket kan inte pausas nu.")
    transition(send, SendStatus.PAUSED)
    _settle_expired_claims(send_id=send_id)
    db.session.commit()
    return send


def pause_for_problem(send_id: int, reason: str) -> bool:
    """Pause the send because the engine cannot go on with it, and say why (caller's transaction).

    Return whether it was paused now (False when it was no longer running).
    """
    send = db.session.get(Send, send_id, populate_existing=True)
    if send is None or send.status not in (SendStatus.SENDING, SendStatus.SCHEDULED):
        return False
    transition(send, SendStatus.PAUSED, reason=reason)
    return True


def resume_send(send_id: int) -> Send:
    """Let workers claim the send's waiting rows again; what was sent is never sent again.

    When the engine had paused it (a template that could not be built, the mail server refusing the sender),
    staff resume after the fix: rows that failed only because the message could not be built are queued
    again, and rows waiting for a retry are due at once.
    """
    send = get_send(send_id)
    if not can_resume(send):
        raise DeliveryError("Utskicket är inte pausat.")
    was_flagged = send.is_flagged
    transition(send, SendStatus.SENDING if send.scheduled_at <= clock.now() else SendStatus.SCHEDULED)
    if was_flagged:
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.send_id == send_id, OutboxMessage.status == OutboxStatus.FAILED,
                                        OutboxMessage.last_error.startswith(BUILD_FAILED, autoescape=True))
            .values(status=OutboxStatus.QUEUED, attempts=0, retry_after=None)
            .execution_options(synchronize_session=False))
        # Due now: a worker claims a deferred row once its retry_after has passed (NULL would never pass).
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.send_id == send_id,
                                        OutboxMessage.status == OutboxStatus.DEFERRED)
            .values(retry_after=clock.now()).execution_options(synchronize_session=False))
    db.session.commit()
    return send


def cancel_send(send_id: int) -> int:
    """Cancel every row not yet handed to an SMTP server (rows a crashed worker left claimed too).

    Return how many were cancelled.
    """
    send = get_send(send_id)
    if not can_cancel(send):
        raise DeliveryError("Utskicket kan inte avbrytas nu.")
    transition(send, SendStatus.CANCELLED)
    send.finished_at = clock.now()
    cancelled = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.send_id == send_id, OutboxMessage.status.in_(WAITING))
        .values(status=OutboxStatus.CANCELLED, retry_after=None)
    ).rowcount
    cancelled += _settle_expired_claims(send_id=send_id)
    db.session.commit()
    return cancelled


def settle_expired_claims(max_attempts: int) -> int:
    """Settle rows whose worker's lease ran out (a crashed worker) outside a running send; return how many.

    Rows of cancelled sends become cancelled, rows of paused or scheduled sends go back to the queue (the lost
    attempt stays counted), and rows that already had their last attempt fail, so no row loops forever.
    Rows of running sends that may still be tried are left for a worker to claim. Caller's transaction.
    """
    now = clock.now()
    expired = (OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now)
    settled = db.session.execute(
        update(OutboxMessage).where(*expired, OutboxMessage.attempts >= max_attempts)
        .values(status=OutboxStatus.FAILED, claim_token=None, lease_until=None, retry_after=None,
                last_error=GAVE_UP_AFTER_CRASHES.format(attempts=max_attempts))
        .execution_options(synchronize_session=False)).rowcount
    return settled + _settle_expired_claims()


def _settle_expired_claims(send_id: int | None = None) -> int:
    now = clock.now()
    conditions = [OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now]
    if send_id is not None:
        conditions.append(OutboxMessage.send_id == send_id)
    settled = 0
    for send_status, row_status in ((SendStatus.CANCELLED, OutboxStatus.CANCELLED),
                                    (SendStatus.PAUSED, OutboxStatus.QUEUED),
                                    (SendStatus.SCHEDULED, OutboxStatus.QUEUED),
                                    (SendStatus.DONE, OutboxStatus.QUEUED)):
        sends = select(Send.id).where(Send.status == send_status)
        settled += db.session.execute(
            update(OutboxMessage).where(*conditions, OutboxMessage.send_id.in_(sends))
            .values(status=row_status, claim_token=None, lease_until=None, retry_after=None)
            .execution_options(synchronize_session=False)).rowcount
    return settled


def send_counts(send_id: int) -> dict[str, int]:
    """Return the number of the send's rows in each outbox status (every status present, 0 if none)."""
    counts = {status.value: 0 for status in OutboxStatus}
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.send_id == send_id)
        .group_by(OutboxMessage.status)
    )
    for status, count in rows:
        counts[status.value] = count
    counts["total"] = sum(counts.values())
    return counts


def validate_email(email: str) -> str:
    """Return the normalised address or raise DeliveryError with a Swedish message."""
    try:
        return normalise_address(email)
    except ValueError as exc:
        raise DeliveryError(str(exc)) from None


def queue_test_email(email: str, *, name: str = "", note: str = "", sent_by: str = "",
                     scheduled_at=None) -> Send:
    """Put a test email to one address in the outbox and commit."""
    from .outbox import EmailSpec, Recipient, enqueue
    from .owner import Owner

    address = validate_email(email)
    spec = EmailSpec(template="delivery/test", subject="Provbrev från Hemtjänstindex", kind="test",
                     context={"sent_by": sent_by or "personalen", "note": note}, scheduled_at=scheduled_at,
                     owner=Owner("delivery", "test", address))
    send = enqueue(spec, [Recipient(address, name)])
    db.session.commit()
    return send
