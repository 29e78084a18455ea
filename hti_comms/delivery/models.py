"""The outbox: sends, one row per recipient, suppressions, and the development mail sink's store."""
import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.sql.expression import false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import clock
from ..dbtypes import PartialIndex, UTCDateTime
from ..extensions import db
from .. import status
from ..status import LabelledEnum
from .owner import Owner


class SendStatus(LabelledEnum):
    SCHEDULED = ("scheduled", "Schemalagt")   # waiting for scheduled_at
    SENDING = ("sending", "Skickas")          # workers may claim its rows
    PAUSED = ("paused", "Pausat")             # staff stopped it for now; nothing new is claimed
    CANCELLED = ("cancelled", "Avbrutet")     # staff stopped it for good; unsent rows were cancelled
    DONE = ("done", "Klart")                  # no row is waiting any more


class OutboxStatus(LabelledEnum):
    QUEUED = ("queued", "I kö")
    SENDING = ("sending", "Skickas just nu")  # claimed by a worker (until lease_until)
    SENT = ("sent", "Skickat")
    DEFERRED = ("deferred", "Försöker igen senare")  # temporary failure; tried again after retry_after
    FAILED = ("failed", "Misslyckades")       # permanent failure
    #: The connection was lost after the message data went out but before the server answered:
    #: it may or may not have arrived. Never retried automatically; staff decide.
    UNKNOWN = ("unknown", "Okänt om det kom fram")
    CANCELLED = ("cancelled", "Stoppat")
    SUPPRESSED = ("suppressed", "Spärrad adress")  # list mail to an address in Suppression


#: Rows a worker may claim (when their send is sending and retry_after has passed).
WAITING = (OutboxStatus.QUEUED, OutboxStatus.DEFERRED)
FINAL = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.UNKNOWN, OutboxStatus.CANCELLED,
         OutboxStatus.SUPPRESSED)

SEND_TRANSITIONS = {
    SendStatus.SCHEDULED: {SendStatus.SENDING, SendStatus.PAUSED, SendStatus.CANCELLED},
    SendStatus.SENDING: {SendStatus.PAUSED, SendStatus.CANCELLED, SendStatus.DONE},
    SendStatus.PAUSED: {SendStatus.SENDING, SendStatus.SCHEDULED, SendStatus.CANCELLED},
    SendStatus.DONE: {SendStatus.SENDING},  # recipients added later to a finished send (same reference)
    SendStatus.CANCELLED: set(),
}


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Send(db.Model):
    """One thing being sent (a confirmation, a newsletter issue, a brief) to one or many recipients."""

    __tablename__ = "send"
    __table_args__ = (Index("ix_send_owner", "owner_domain", "owner_kind", "owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Idempotency key of what is sent, e.g. "brief:2025:0114"; enqueue() reuses the send that has it.
    reference: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50), index=True)
    template: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Set for list mail: unsubscribe headers and footer links, suppression applies.
    list_key: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[SendStatus] = mapped_column(_enum(SendStatus, "send_status"), default=SendStatus.SCHEDULED,
                                               index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the send engine paused the send (Swedish, shown to staff): a template that cannot be built, or the
    #: mail server refusing the sender or the login. None when staff paused it or it is not paused.
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the send is about (`delivery.owner.Owner`): the domain that made it, the kind of thing and its key.
    #: Domains find their sends by these (`delivery.api.sends_for`); the release guards judge a send by them.
    owner_domain: Mapped[str] = mapped_column(String(40))
    owner_kind: Mapped[str] = mapped_column(String(50))
    owner_key: Mapped[str] = mapped_column(String(100), default="")
    #: The HTML (CSS inlined) and text the sender rendered and checked before enqueueing, with the placeholders
    #: for each recipient's values (`RenderedTemplate.parts`); the worker sends these as they are rather than
    #: render the templates again. None: the worker renders `template` with `context` when it sends.
    rendered_html: Mapped[str | None] = mapped_column(Text)
    rendered_text: Mapped[str | None] = mapped_column(Text)

    attachments: Mapped[list["SendAttachment"]] = relationship(
        back_populates="send", order_by="SendAttachment.position", cascade="all, delete-orphan")

    @property
    def owner(self) -> Owner:
        return Owner(self.owner_domain, self.owner_kind, self.owner_key)

    @property
    def is_list_mail(self) -> bool:
        return self.list_key is not None

    @property
    def is_flagged(self) -> bool:
        """Return whether the engine stopped the send and staff need to look at it."""
        return self.status is SendStatus.PAUSED and self.pause_reason is not None


class SendAttachment(db.Model):
    """A file attached to every message of a send (a calendar invitation, a PDF, an inline image).

    A personal attachment is the same file for everyone except the per-recipient values filled into it.
    """

    __tablename__ = "send_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(ForeignKey("send.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(200))
    #: Set for inline parts referenced from the HTML as src="cid:<content_id>".
    content_id: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The data holds per-recipient placeholders (a calendar invitation naming its attendee), filled per message.
    is_personal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    send: Mapped[Send] = relationship(back_populates="attachments")


class OutboxMessage(db.Model):
    """One email to one recipient: a row before it is sent, and the record of what happened."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("send_id", "email"),
        Index("ix_outbox_message_send_id_status", "send_id", "status"),
        #: Rows in flight (recovered when their lease runs out) and rows waiting for a staff decision (counted on
        #: the outbox page) are found by status alone; only they are in the index, so recording a sent row
        #: never writes to it.
        PartialIndex("ix_outbox_message_status", "status", where=text("status IN ('sending', 'unknown')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(ForeignKey("send.id", ondelete="CASCADE"))
    #: Lower-case.
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The subscribers domain's Contact.id when known (no foreign key: domains stay independent). Not indexed:
    #: nothing searches by it, and every index costs a write per status change.
    contact_id: Mapped[int | None] = mapped_column(Integer)
    #: The recipient's Contact.link_key when enqueued: it names them in the unsubscribe and preference links.
    link_key: Mapped[str | None] = mapped_column(String(32))
    #: Per-recipient template values (recipient.fields.<key>).
    fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(_enum(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    #: Random id of the worker batch that claimed the row; the lease protects it until lease_until. Outcomes are
    #: only written while the token still matches, so a worker whose lease was lost cannot overwrite another's.
    claim_token: Mapped[str | None] = mapped_column(String(40))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    send: Mapped[Send] = relationship()


class Suppression(db.Model):
    """An address that never gets list mail again (hard bounce, complaint, unsubscribed from everything)."""

    __tablename__ = "suppression"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: "hard_bounce", "complaint", "unsubscribed" or "staff".
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SinkMessage(db.Model):
    """A message the local development mail sink received (shown under Testpost)."""

    __tablename__ = "sink_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    mail_from: Mapped[str] = mapped_column(String(254))
    #: Lower-case envelope recipients, comma-separated.
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(500), default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)


def can_transition(send: Send, target: SendStatus) -> bool:
    """Return whether the send may move to `target`."""
    return target in SEND_TRANSITIONS[send.status]


def transition(send: Send, target: SendStatus, *, reason: str | None = None) -> None:
    """Move the send to `target` by the transition table (TransitionError if not allowed); `reason` says why
    the engine paused it."""
    status.transition(send, target, SEND_TRANSITIONS)
    if target is SendStatus.PAUSED:
        send.pause_reason = reason
        send.paused_at = clock.now()
    else:
        send.pause_reason = None
        send.paused_at = None


def can_pause(send: Send) -> bool:
    return can_transition(send, SendStatus.PAUSED)


def can_resume(send: Send) -> bool:
    return send.status is SendStatus.PAUSED


def can_cancel(send: Send) -> bool:
    return can_transition(send, SendStatus.CANCELLED)
