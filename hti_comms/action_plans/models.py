"""Action plans: the measures a municipality takes after its result, their history, the municipality's own
proposals (reviewed by staff before anything is public) and the yearly reminder.

A measure belongs to the index year whose result it answers ("the plan for 2024" follows the 2024 result). The
register holds only what staff entered or approved, so everything in it is public; what a municipality sends in
through its personal link waits in `PlanSubmission` until staff approve it.
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..geo.models import Municipality
from ..status import LabelledEnum
from ..subscribers.models import Contact


def _enum(enum_class, name: str) -> Enum:
    return Enum(enum_class, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Area(LabelledEnum):
    """What a measure targets: one of the four sub-indices, or the whole index."""

    INFORMATION = ("information", "Information")
    BISTANDSHANDLAGGNING = ("bistandshandlaggning", "Biståndshandläggning")
    UTFORANDE = ("utforande", "Utförande")
    STOD_OCH_UTVECKLING = ("stod_och_utveckling", "Stöd och utveckling")
    INDEX = ("index", "Hela indexet")

    @property
    def measure(self) -> str:
        """Return the result column the area reads ('index_value' for the whole index)."""
        return "index_value" if self is Area.INDEX else self.value


class Horizon(LabelledEnum):
    SHORT = ("kort", "Kort sikt")
    LONG = ("lang", "Lång sikt")


class MeasureStatus(LabelledEnum):
    PLANNED = ("planerad", "Planerad")
    IN_PROGRESS = ("pagar", "Pågår")
    DONE = ("genomford", "Genomförd")


#: How a measure's status may change: forward, or one step back when a measure is paused or reopened.
MEASURE_TRANSITIONS = {
    MeasureStatus.PLANNED: frozenset({MeasureStatus.IN_PROGRESS, MeasureStatus.DONE}),
    MeasureStatus.IN_PROGRESS: frozenset({MeasureStatus.DONE, MeasureStatus.PLANNED}),
    MeasureStatus.DONE: frozenset({MeasureStatus.IN_PROGRESS}),
}


class Measure(db.Model):
    """One measure of a municipality's action plan for an index year (public once it is here)."""

    __tablename__ = "action_measure"
    __table_args__ = (Index("ix_action_measure_year_municipality", "year", "municipality_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The index year whose result the measure answers.
    year: Mapped[int] = mapped_column(Integer)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    area: Mapped[Area] = mapped_column(_enum(Area, "action_measure_area"))
    #: What the municipality will do, written to follow "Kommunen planerar att …" ("förbättra informationen …").
    text: Mapped[str] = mapped_column(String(300))
    horizon: Mapped[Horizon] = mapped_column(_enum(Horizon, "action_measure_horizon"), default=Horizon.SHORT)
    status: Mapped[MeasureStatus] = mapped_column(_enum(MeasureStatus, "action_measure_status"),
                                                  default=MeasureStatus.PLANNED)
    #: The day the status began (planned, started or done), as the municipality or staff gave it.
    status_since: Mapped[date] = mapped_column(Date)
    #: The municipality's own page about the measure, or "".
    source_url: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    municipality: Mapped[Municipality] = relationship()
    versions: Mapped[list["MeasureVersion"]] = relationship(back_populates="measure", cascade="all, delete-orphan",
                                                          order_by="MeasureVersion.number")


class MeasureVersion(db.Model):
    """One change of a measure: who made it, when, and each field's value before and after."""

    __tablename__ = "action_measure_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("action_measure.id", ondelete="CASCADE"), index=True)
    #: 1 for the measure as first registered, then 2, 3 …
    number: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: A staff member's address, "kommandoraden", or "kommunen (godkänt av …)" for an approved proposal.
    changed_by: Mapped[str] = mapped_column(String(255), default="")
    #: {field: [before, after]} in stored form (enum values, ISO dates); `before` is None in the first version.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The municipality's proposal this change came from, if any.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("action_plan_submission.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship(back_populates="versions")


class SubmissionStatus(LabelledEnum):
    PENDING = ("pending", "Väntar på granskning")
    APPROVED = ("approved", "Godkänd och publicerad")
    REJECTED = ("rejected", "Inte godkänd")


SUBMISSION_TRANSITIONS = {
    SubmissionStatus.PENDING: frozenset({SubmissionStatus.APPROVED, SubmissionStatus.REJECTED}),
    SubmissionStatus.APPROVED: frozenset(),
    SubmissionStatus.REJECTED: frozenset(),
}


class PlanSubmission(db.Model):
    """A new or changed measure a municipality's contact sent through their personal link, awaiting review."""

    __tablename__ = "action_plan_submission"
    __table_args__ = (Index("ix_action_plan_submission_year_municipality", "year", "municipality_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    #: Who sent it (a report-package contact of the municipality); None once that person is erased.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"), index=True)
    #: The measure it changes; None for a new measure.
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("action_measure.id", ondelete="SET NULL"))
    area: Mapped[Area] = mapped_column(_enum(Area, "action_plan_submission_area"))
    text: Mapped[str] = mapped_column(String(300))
    horizon: Mapped[Horizon] = mapped_column(_enum(Horizon, "action_plan_submission_horizon"))
    status: Mapped[MeasureStatus] = mapped_column(_enum(MeasureStatus, "action_plan_submission_measure_status"))
    #: The day the status began, when the municipality gave one.
    status_since: Mapped[date | None] = mapped_column(Date)
    source_url: Mapped[str] = mapped_column(String(2000), default="")
    #: What the municipality wrote to SPF with it (not published).
    message: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_status: Mapped[SubmissionStatus] = mapped_column(_enum(SubmissionStatus, "action_plan_submission_status"),
                                                            default=SubmissionStatus.PENDING)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(255))
    #: Why staff did not approve it (shown to staff only).
    review_note: Mapped[str] = mapped_column(Text, default="")

    municipality: Mapped[Municipality] = relationship()
    contact: Mapped[Contact | None] = relationship()
    measure: Mapped[Measure | None] = relationship()


class PlanReminder(db.Model):
    """That the reminder of a year went out (once per year: the sweep's record of what it did)."""

    __tablename__ = "action_plan_reminder"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: How many messages were queued (0 when no municipality had a contact to remind).
    recipients: Mapped[int] = mapped_column(Integer, default=0)
