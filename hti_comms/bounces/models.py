"""What came back after sending: bounces, complaints, automatic replies, and suppressions staff lifted."""
from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..status import LabelledEnum
from sqlalchemy import Enum


class ReportKind(LabelledEnum):
    HARD_BOUNCE = ("hard_bounce", "Gick inte fram (permanent)")
    SOFT_BOUNCE = ("soft_bounce", "Gick inte fram just då (tillfälligt)")
    COMPLAINT = ("complaint", "Anmält som skräppost")
    #: A delivery report that is not a failure (delivered, relayed, delayed and still trying).
    NOTICE = ("notice", "Leveransbesked utan fel")
    AUTO_REPLY = ("auto_reply", "Automatiskt svar (t.ex. semester)")
    NOT_UNDERSTOOD = ("not_understood", "Kunde inte tolkas")
    #: The token in the address does not verify: someone made it up (perhaps to unsubscribe a real person).
    FORGED = ("forged", "Förfalskat eller ogiltigt svar")
    #: About an address we never sent to (or mail already erased).
    UNKNOWN_RECIPIENT = ("unknown_recipient", "Om en adress vi inte har skickat till")
    #: A report without our token: never acted on (anyone could write one), kept for staff.
    NO_TOKEN = ("no_token", "Saknar vår kod och kan inte kontrolleras")


#: Kinds staff should look at: nothing was done about them automatically.
FOR_STAFF = (ReportKind.AUTO_REPLY, ReportKind.NOT_UNDERSTOOD, ReportKind.FORGED, ReportKind.UNKNOWN_RECIPIENT,
             ReportKind.NO_TOKEN)


class BounceReport(db.Model):
    """One message that came back to the bounce address: what it said and what was done about it."""

    __tablename__ = "bounce_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the raw message: the same report read twice (a re-run poll, a resent file) counts once.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[ReportKind] = mapped_column(Enum(ReportKind, name="bounce_kind", native_enum=False, length=20,
                                                  values_callable=lambda e: [m.value for m in e],
                                                  validate_strings=True), index=True)
    #: Lower-case address the report is about (the outbox row's when the token names one); None when unknown.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    #: The outbox row the VERP token names (no foreign key: domains stay independent), and its send.
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    send_id: Mapped[int | None] = mapped_column(Integer, index=True)
    list_key: Mapped[str | None] = mapped_column(String(100))
    #: Enhanced status code ("5.1.1") of a delivery report, or the feedback type ("abuse") of a complaint.
    status: Mapped[str | None] = mapped_column(String(40))
    #: The receiving server's words (Diagnostic-Code), or why the report was not acted on (Swedish).
    detail: Mapped[str | None] = mapped_column(Text)
    #: Where it came in: "fil", "smtp" or "imap".
    source: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300), default="")
    sender: Mapped[str] = mapped_column(String(254), default="")
    #: When the failure or complaint happened by the report (its Arrival-Date or Date); else received_at.
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: The message itself, kept for the kinds staff look at (FOR_STAFF); None for the ones acted on.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: What was done: "spärrad", "räknad (2 av 3)", … (Swedish).
    outcome: Mapped[str] = mapped_column(String(200), default="")


class SuppressionLift(db.Model):
    """A suppression staff lifted, with why: the address may get list mail again."""

    __tablename__ = "suppression_lift"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: The suppression's reason before it was lifted ("hard_bounce", "complaint", …).
    previous_reason: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    lifted_by: Mapped[str] = mapped_column(String(255))
    lifted_at: Mapped[datetime] = mapped_column(UTCDateTime())
