"""Enqueueing email: a Send and one outbox row per recipient, written in bulk in the caller's transaction."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import insert, select

from .. import clock
from ..addresses import normalise_address
from ..extensions import db
from .owner import Owner
from .models import OutboxMessage, OutboxStatus, Send, SendAttachment, SendStatus, Suppression, transition

if TYPE_CHECKING:
    from .render import RenderedTemplate

#: Start of last_error when a message could not be built (a template or content error, not the recipient's
#: fault); resuming a send the engine paused for it queues these rows again.
BUILD_FAILED = "Brevet kunde inte byggas"
#: The address the test build at enqueue fills in (never sent to).
EXAMPLE_ADDRESS = "mottagare@example.se"
#: Rows per INSERT statement; keeps memory flat for 100k recipients.
INSERT_CHUNK = 5000
#: Sends per IN (…) list.
ID_CHUNK = 500


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
    #: The data (UTF-8 text) holds per-recipient placeholders (`personal_attachments.placeholder`), filled for each recipient.
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
    #: What the send is about (the domain, the kind of thing and its key); see `delivery.owner`. Required:
    #: enqueue() refuses a spec without one. The release guards judge a send by its owner (which year's
    #: results it carries, for whom), so an owner is also what keeps results under embargo.
    owner: Owner | None = None


class EmailBuildError(ValueError):
    """The email cannot be built (a template that does not compile or render, bad content); Swedish message.

    Raised by enqueue() before anything is written, so the person who pressed "send" sees it, not a worker
    at night.
    """


def enqueue(spec: EmailSpec, recipients: Iterable[Recipient], *, rendered: RenderedTemplate | None = None) -> Send:
    """Write the Send and its outbox rows (bulk insert) in the caller's transaction; the caller commits.

    `rendered`: the spec's templates as `render.render_template_pair` made them, when the caller has already
    rendered them to check what the email says. The check that the email can be built then uses them, and a
    new send keeps them: the worker sends exactly what was checked, and does not render it again.
    """
    return enqueue_many([(spec, recipients, rendered)])[0]


def enqueue_many(items: Sequence[tuple[EmailSpec, Iterable[Recipient], RenderedTemplate | None]]) -> list[Send]:
    """Enqueue each (spec, recipients, rendering) as `enqueue` does, in a few statements for all of them: the
    existing sends are read in one query, the new ones inserted in one flush, and the outbox rows of all together
    (the embargo release enqueues hundreds of summaries at once). Return the sends in the order of `items`."""
    for spec, _recipients, _rendered in items:
        if spec.owner is None:
            raise ValueError("every send needs an owner (EmailSpec.owner): what it is about")
    now = clock.now()
    by_reference = _existing_sends([spec.reference for spec, _recipients, _rendered in items if spec.reference])
    existing_ids = {send.id for send in by_reference.values()}
    sends: list[Send] = []
    for spec, _recipients, rendered in items:
        send = by_reference.get(spec.reference) if spec.reference else None
        if send is None:
            check_buildable(spec, rendered=rendered)
            send = _new_send(spec, now)
            if rendered is not None:
                send.rendered_html, send.rendered_text = rendered.parts
            if spec.reference:
                by_reference[spec.reference] = send
        sends.append(send)
    db.session.flush()  # the new sends get their ids, all in one INSERT where the database allows it
    # A send made just now has no rows yet: only the existing ones are asked which addresses they have.
    existing = _addresses_of(existing_ids)
    rows: list[dict] = []
    list_rows: list[dict] = []
    added: dict[Send, int] = {}
    for send, (_spec, recipients, _rendered) in zip(sends, items, strict=True):
        new_rows = _new_rows(send, recipients, existing.setdefault(send.id, set()), now)
        existing[send.id].update(row["email"] for row in new_rows)
        added[send] = added.get(send, 0) + len(new_rows)
        if new_rows and send.status is SendStatus.DONE:
            transition(send, SendStatus.SENDING)
            send.finished_at = None
        rows += new_rows
        if send.list_key is not None:
            list_rows += new_rows
    for start in range(0, len(list_rows), INSERT_CHUNK):
        _mark_suppressed(list_rows[start:start + INSERT_CHUNK])
    for start in range(0, len(rows), INSERT_CHUNK):
        db.session.execute(insert(OutboxMessage.__table__), rows[start:start + INSERT_CHUNK])
    from ..domain import registry

    for send, count in added.items():
        if count:
            for hook in registry().send_hooks:
                hook(send, count)
    return sends


def check_buildable(spec: EmailSpec, *, rendered: RenderedTemplate | None = None) -> None:
    """Compile and render the templates, and build one message for an example recipient (EmailBuildError)."""
    from flask import current_app

    from .mime import build_skeleton
    from .render import recipient_values, render_template_pair

    try:
        context = json.loads(json.dumps(dict(spec.context)))
    except (TypeError, ValueError) as exc:
        raise EmailBuildError(f"Brevets innehåll går inte att spara ({exc}).") from None
    # What the example message is built from besides the rendering: a rendering already built into one with the
    # same (a summary made and checked before the embargo release) need not be built again at the release.
    example = (spec.subject, spec.list_key, tuple(spec.attachments), context.get("list_name"),
               current_app.config["MAIL_FROM"])
    if rendered is not None and rendered.built_with == example:
        return
    try:
        if rendered is None:
            rendered = render_template_pair(spec.template, context, subject=spec.subject, list_key=spec.list_key)
        skeleton = build_skeleton(send_id=0, mail_from=current_app.config["MAIL_FROM"], subject=spec.subject,
                                  list_key=spec.list_key, list_name=context.get("list_name") or "Hemtjänstindex",
                                  attachments=tuple(spec.attachments))
        keys = (rendered.keys | skeleton.keys
                | ({"unsubscribe_url"} if spec.list_key is not None else frozenset()))
        values = recipient_values(keys, email=EXAMPLE_ADDRESS, name="Exempel Mottagare", fields={},
                                  list_key=spec.list_key)
        html, text = rendered.fill(values)
        skeleton.build(outbox_id=0, email=EXAMPLE_ADDRESS, name="Exempel Mottagare", html=html, text=text,
                       unsubscribe_url=values.get("unsubscribe_url"), date=clock.now(), values=values)
    except Exception as exc:  # noqa: BLE001 - any error here is the email's, and belongs to the caller
        raise EmailBuildError(describe_build_error(spec.template, exc)) from exc
    rendered.built_with = example


def describe_build_error(template: str, exc: BaseException) -> str:
    """Return a Swedish sentence about why the email built from `template` cannot be built."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    if isinstance(exc, TemplateNotFound):
        detail = f"mallen {exc.name} finns inte"
    elif isinstance(exc, TemplateSyntaxError):
        detail = f"fel i mallen {exc.name or template}, rad {exc.lineno}: {exc.message}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return f"{BUILD_FAILED} (mallen emails/{template}): {detail}"


def _existing_sends(references: list[str]) -> dict[str, Send]:
    found: dict[str, Send] = {}
    for start in range(0, len(references), ID_CHUNK):
        found.update((send.reference, send) for send in db.session.scalars(
            select(Send).where(Send.reference.in_(references[start:start + ID_CHUNK]))))
    return found


def _addresses_of(send_ids: set[int]) -> dict[int, set[str]]:
    """Return {send id: the addresses it has rows for} of the sends."""
    addresses: dict[int, set[str]] = {}
    ids = sorted(send_ids)
    for start in range(0, len(ids), ID_CHUNK):
        for send_id, email in db.session.execute(select(OutboxMessage.send_id, OutboxMessage.email)
                                                 .where(OutboxMessage.send_id.in_(ids[start:start + ID_CHUNK]))):
            addresses.setdefault(send_id, set()).add(email)
    return addresses


def _new_send(spec: EmailSpec, now: datetime) -> Send:
    scheduled_at = clock.as_utc(spec.scheduled_at) if spec.scheduled_at else now
    # Fails loudly here, in the caller, rather than in the worker.
    context = json.loads(json.dumps(dict(spec.context)))
    send = Send(
        reference=spec.reference, kind=spec.kind, template=spec.template, subject=spec.subject,
        context=context, list_key=spec.list_key, scheduled_at=scheduled_at, created_at=now,
        owner_domain=spec.owner.domain, owner_kind=spec.owner.kind, owner_key=spec.owner.key,
        # Mail that is due now does not wait for the scheduler's next sweep.
        status=SendStatus.SENDING if scheduled_at <= now else SendStatus.SCHEDULED,
        started_at=now if scheduled_at <= now else None,
    )
    for position, attachment in enumerate(spec.attachments):
        send.attachments.append(SendAttachment(
            position=position, filename=attachment.filename, content_type=attachment.content_type,
            content_id=attachment.content_id, data=attachment.data, is_personal=attachment.is_personal))
    db.session.add(send)
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


def sent_too_recently(sent_at: datetime | None) -> bool:
    """Return whether a confirmation queued at `sent_at` went out too recently to send another one.

    The public forms that email a confirmation (sign-up, event registration, order) send the same address at
    most one per `CONFIRMATION_RESEND_MINUTES`, however often the form is posted.
    """
    if sent_at is None:
        return False
    window = timedelta(minutes=current_app.config["CONFIRMATION_RESEND_MINUTES"])
    return clock.now() - clock.as_utc(sent_at) < window
