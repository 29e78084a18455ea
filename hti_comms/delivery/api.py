"""The delivery engine as other domains see it: enqueue, and for an owner its sends, counts, the addresses reached,
withdraw, pause and resume.

This module is the seam. No module outside `hti_comms/delivery/` imports `delivery.models` (a whole-app test,
tests/test_code_shape.py, enforces it); a domain finds its sends by their typed owner (`Owner`), never by
parsing a reference string. Sends are returned as `SendView`s, read-only snapshots, so the engine's state
changes only through the functions here.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from .. import clock
from ..extensions import db
from .models import WAITING, OutboxMessage, OutboxStatus, Send, SendStatus, can_cancel, transition
from . import outbox
from .outbox import Attachment, EmailBuildError, EmailSpec, Recipient, check_buildable, sent_too_recently  # noqa: F401
from .owner import Owner
from .sendview import SendView, view as _view
from .services import DeliveryError, _settle_expired_claims, cancel_send, pause_send, resume_send  # noqa: F401

__all__ = ["Attachment", "DeliveryError", "EmailBuildError", "EmailSpec", "OutboxStatus", "Owner", "Recipient",
           "SendStatus", "SendView", "addresses_reached", "cancel_send", "send_status_of", "check_buildable", "counts", "enqueue", "enqueue_many", "pause",
           "resume", "send_view", "sent_too_recently", "sends_for", "withdraw", "IN_FLIGHT", "RUNNING", "UNSETTLED", "FAILED_STATES"]

#: Send statuses of a send that may still send something.
RUNNING = (SendStatus.SCHEDULED, SendStatus.SENDING, SendStatus.PAUSED)
#: Row statuses of a message that is still waiting or being sent.
IN_FLIGHT = (OutboxStatus.QUEUED, OutboxStatus.DEFERRED, OutboxStatus.SENDING)
#: Row statuses of a message that did not arrive or may not have (staff look at these).
FAILED_STATES = (OutboxStatus.FAILED, OutboxStatus.UNKNOWN)
#: Row statuses of a message still in the outbox (waiting, being sent or waiting for a staff decision).
UNSETTLED = (*IN_FLIGHT, OutboxStatus.UNKNOWN)


def enqueue(spec: EmailSpec, recipients: Iterable[Recipient], *, rendered=None) -> SendView:
    """Write the send and one outbox row per new recipient in the caller's transaction (`outbox.enqueue`)."""
    return _view(outbox.enqueue(spec, recipients, rendered=rendered))


def enqueue_many(items) -> list[SendView]:
    """Enqueue each (spec, recipients, rendering or None) of `items` in a few statements for all (`outbox.enqueue_many`)."""
    return [_view(send) for send in outbox.enqueue_many(items)]


def _owned(domain: str, kind: str | Iterable[str] | None = None, keys: Iterable[str] | None = None) -> list:
    conditions = [Send.owner_domain == domain]
    if isinstance(kind, str):
        conditions.append(Send.owner_kind == kind)
    elif kind is not None:
        conditions.append(Send.owner_kind.in_(list(kind)))
    if keys is not None:
        conditions.append(Send.owner_key.in_(list(keys)))
    return conditions


def _conditions(owner: Owner | None, domain: str | None, kind, keys) -> list:
    if owner is not None:
        return [Send.owner_domain == owner.domain, Send.owner_kind == owner.kind, Send.owner_key == owner.key]
    if domain is None:
        raise ValueError("name an owner or at least its domain")
    return _owned(domain, kind, keys)


def send_view(send_id: int) -> SendView | None:
    """Return the send with this id, or None."""
    send = db.session.get(Send, send_id)
    return _view(send) if send is not None else None


def sends_for(owner: Owner | None = None, *, domain: str | None = None, kind: str | Iterable[str] | None = None,
              keys: Iterable[str] | None = None, running: bool = False) -> list[SendView]:
    """Return the sends of one owner, or of a domain's owners (optionally of some kinds and some exact keys),
    oldest first. `running`: only those that may still send something."""
    query = select(Send).where(*_conditions(owner, domain, kind, keys))
    if running:
        query = query.where(Send.status.in_(RUNNING))
    return [_view(send) for send in db.session.scalars(query.order_by(Send.scheduled_at, Send.id))]


def counts(owner: Owner | None = None, *, domain: str | None = None, kind: str | Iterable[str] | None = None,
           keys: Iterable[str] | None = None, send_id: int | None = None, by_owner: bool = False) -> dict:
    """Return the number of messages in each outbox status (every status present, 0 if none, and "total").

    For one send (`send_id`), one owner, or a domain's owners; `by_owner`: {Owner: counts} instead.
    """
    group = [OutboxMessage.status]
    query = select(OutboxMessage.status, func.count())
    if by_owner:
        group = [Send.owner_domain, Send.owner_kind, Send.owner_key, OutboxMessage.status]
        query = select(*group[:3], OutboxMessage.status, func.count())
    if send_id is not None:
        query = query.join(Send, Send.id == OutboxMessage.send_id).where(OutboxMessage.send_id == send_id)
    else:
        query = query.join(Send, Send.id == OutboxMessage.send_id).where(*_conditions(owner, domain, kind, keys))
    if not by_owner:
        return _tally(db.session.execute(query.group_by(*group)))
    found: dict[Owner, dict[str, int]] = {}
    for owner_domain, owner_kind, owner_key, status, count in db.session.execute(query.group_by(*group)):
        tally = found.setdefault(Owner(owner_domain, owner_kind, owner_key), _tally(()))
        tally[status.value] += count
        tally["total"] += count
    return found


def _tally(rows) -> dict[str, int]:
    tally = {status.value: 0 for status in OutboxStatus}
    for status, count in rows:
        tally[status.value] = count
    tally["total"] = sum(tally.values())
    return tally


def addresses_reached(owner: Owner | None = None, *, domain: str | None = None,
                      kind: str | Iterable[str] | None = None, keys: Iterable[str] | None = None,
                      statuses: Iterable[OutboxStatus] | None = None) -> dict[Owner, set[str]]:
    """Return {owner: lower-case addresses} of the owners' messages (any status unless `statuses` is given)."""
    query = select(Send.owner_domain, Send.owner_kind, Send.owner_key, OutboxMessage.email).join(
        OutboxMessage, OutboxMessage.send_id == Send.id).where(*_conditions(owner, domain, kind, keys))
    if statuses is not None:
        query = query.where(OutboxMessage.status.in_(list(statuses)))
    found: dict[Owner, set[str]] = {}
    for owner_domain, owner_kind, owner_key, email in db.session.execute(query):
        found.setdefault(Owner(owner_domain, owner_kind, owner_key), set()).add(email)
    return found


def recipients_of(send_id: int, *, limit: int | None = None,
                  offset: int = 0) -> list[tuple[str, str, int | None, OutboxStatus]]:
    """Return (name, email, contact id, status) of the send's messages in the order they were added (one page of
    `limit` from `offset` when given)."""
    query = select(OutboxMessage.name, OutboxMessage.email, OutboxMessage.contact_id, OutboxMessage.status) \
        .where(OutboxMessage.send_id == send_id).order_by(OutboxMessage.id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [tuple(row) for row in db.session.execute(query)]


def withdraw(owner: Owner | None = None, *, domain: str | None = None, kind: str | Iterable[str] | None = None,
             keys: Iterable[str] | None = None) -> int:
    """Cancel the owners' running sends in the caller's transaction: every message not yet handed to an SMTP
    server is cancelled, rows a crashed worker left claimed included. Return how many messages."""
    now = clock.now()
    cancelled = 0
    sends = db.session.scalars(select(Send).where(*_conditions(owner, domain, kind, keys),
                                                  Send.status.in_(RUNNING))).all()
    for send in sends:
        if not can_cancel(send):
            continue
        transition(send, SendStatus.CANCELLED)
        send.finished_at = now
        cancelled += db.session.execute(
            update(OutboxMessage).where(OutboxMessage.send_id == send.id, OutboxMessage.status.in_(WAITING))
            .values(status=OutboxStatus.CANCELLED, retry_after=None)
            .execution_options(synchronize_session=False)).rowcount
        db.session.flush()
        cancelled += _settle_expired_claims(send_id=send.id)
    return cancelled


def pause(owner: Owner) -> list[SendView]:
    """Pause the owner's running sends (each commits); return them."""
    return [_view(pause_send(view.id)) for view in sends_for(owner) if view.can_pause]


def resume(owner: Owner) -> list[SendView]:
    """Resume the owner's paused sends (each commits); return them."""
    return [_view(resume_send(view.id)) for view in sends_for(owner) if view.can_resume]


def has_send(owner: Owner | None = None, *, reference: str | None = None) -> bool:
    """Return whether a send exists for the owner (or with the idempotency reference)."""
    condition = [Send.reference == reference] if reference is not None else _conditions(owner, None, None, None)
    return db.session.scalar(select(Send.id).where(*condition).limit(1)) is not None


def send_status(reference: str) -> SendStatus | None:
    """Return the status of the send with this idempotency reference, or None."""
    return db.session.scalar(select(Send.status).where(Send.reference == reference))


def reached_any(reference: str, emails: Iterable[str]) -> bool:
    """Return whether the send with this reference has a message to any of the addresses."""
    return bool(db.session.scalar(select(OutboxMessage.id).join(Send, Send.id == OutboxMessage.send_id).where(
        Send.reference == reference, OutboxMessage.email.in_(list(emails))).limit(1)))


def send_status_of(send_id_column):
    """Return a correlated scalar subquery: the status of the send whose id is in `send_id_column` (NULL if none).

    A domain that keeps a send's id derives its own state from the send with it (in a `column_property` or a
    hybrid's SQL expression), so there is one state and nothing to copy.
    """
    return select(Send.status).where(Send.id == send_id_column).correlate_except(Send).scalar_subquery()


def progress(tally: dict[str, int]) -> dict[str, int]:
    """Group `counts` for a step of the year: {"väntar", "skickade", "misslyckade", "stoppade"}."""
    grouped = {"väntar": 0, "skickade": 0, "misslyckade": 0, "stoppade": 0}
    for status in OutboxStatus:
        number = tally.get(status.value, 0)
        if status in IN_FLIGHT:
            grouped["väntar"] += number
        elif status is OutboxStatus.SENT:
            grouped["skickade"] += number
        elif status in FAILED_STATES:
            grouped["misslyckade"] += number
        else:
            grouped["stoppade"] += number
    return grouped


def running_sends() -> list[SendView]:
    """Return every send that may still send something (scheduled, sending or paused), by scheduled time."""
    return [_view(send) for send in db.session.scalars(
        select(Send).where(Send.status.in_(RUNNING)).order_by(Send.scheduled_at, Send.id))]
