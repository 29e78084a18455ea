"""Enqueueing email: a Send and one outbox row per recipient, written in bulk in the caller's transaction."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from .. import clock
from ..addresses import normalise_address
from ..extensions import db
from .models import OutboxMessage, OutboxStatus, Send, SendAttachment, SendStatus, Suppression

#: Rows per INSERT statement; keeps memory flat for 100k recipients.
INSERT_CHUNK = 5000


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    contact_id: int | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    #: The contact's link key: names them in the unsubscribe and preference links (see hti_comms.links).
    link_key: str | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    #: The data (UTF-8 text) holds per-recipient placeholders (`render.placeholder`), filled for each recipient.
    is_personal: bool = False


@dataclass(frozen=True)
class EmailSpec:
    template: str
    subject: str
    context: Mapping[str, Any]
    kind: str
    list_key: str | None = None
    scheduled_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    reference: str | None = None


def enqueue(spec: EmailSpec, recipients: Iterable[Recipient]) -> Send:
    """Write the Send and its outbox rows (bulk insert) in the caller's transaction; the caller commits."""
    now = clock.now()
    send = _existing_send(spec.reference) if spec.reference else None
    if send is None:
        send = _new_send(spec, now)
    existing = set(db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.send_id == send.id)))
    rows = _new_rows(send, recipients, existing, now)
    if rows and send.status is SendStatus.DONE:
        send.status = SendStatus.SENDING
        send.finished_at = None
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start:start + INSERT_CHUNK]
        if send.list_key is not None:
            _mark_suppressed(chunk)
        db.session.execute(insert(OutboxMessage), chunk)
    return send


def _existing_send(reference: str) -> Send | None:
    return db.session.scalar(select(Send).where(Send.reference == reference))


def _new_send(spec: EmailSpec, now: datetime) -> Send:
    scheduled_at = clock.as_utc(spec.scheduled_at) if spec.scheduled_at else now
    # Fails loudly here, in the caller, rather than in the worker.
    context = json.loads(json.dumps(dict(spec.context)))
    send = Send(
        reference=spec.reference, kind=spec.kind, template=spec.template, subject=spec.subject,
        context=context, list_key=spec.list_key, scheduled_at=scheduled_at, created_at=now,
        # Mail that is due now does not wait for the scheduler's next sweep.
        status=SendStatus.SENDING if scheduled_at <= now else SendStatus.SCHEDULED,
        started_at=now if scheduled_at <= now else None,
    )
    for position, attachment in enumerate(spec.attachments):
        send.attachments.append(SendAttachment(
            position=position, filename=attachment.filename, content_type=attachment.content_type,
            content_id=attachment.content_id, data=attachment.data, is_personal=attachment.is_personal))
    db.session.add(send)
    db.session.flush()
    return send


def _new_rows(send: Send, recipients: Iterable[Recipient], existing: set[str], now: datetime) -> list[dict]:
    rows = []
    seen = set(existing)
    for recipient in recipients:
        # The one address rule (hti_comms.addresses): ASCII in the envelope and the To header, or InvalidAddress.
        email = normalise_address(recipient.email)
        if email in seen:
            continue
        seen.add(email)
        rows.append({
            "send_id": send.id, "email": email, "name": (recipient.name or "").strip(),
            "contact_id": recipient.contact_id, "link_key": recipient.link_key,
            "fields": {str(k): str(v) for k, v in recipient.fields.items()},
            "status": OutboxStatus.QUEUED, "attempts": 0, "created_at": now,
        })
    return rows


def _mark_suppressed(rows: list[dict]) -> None:
    emails = [row["email"] for row in rows]
    suppressed = set(db.session.scalars(select(Suppression.email).where(Suppression.email.in_(emails))))
    for row in rows:
        if row["email"] in suppressed:
            row["status"] = OutboxStatus.SUPPRESSED
