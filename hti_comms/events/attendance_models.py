"""After the course: the lines of the last imported attendance report, and the feedback people gave."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from ..dbtypes import UTCDateTime
from ..extensions import db
from .models import Event, Registration


class Attendee(db.Model):
    """One person in the last attendance report of an event (rejoins summed); replaced by the next import."""

    __tablename__ = "event_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: The first line of the report the person is on.
    line: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: As the one address rule stores it, or as written when it is no valid address.
    email: Mapped[str] = mapped_column(String(254), index=True, default="")
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    #: The registration the line counts for (by address, or a name match staff confirmed); None: unknown.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_registration.id", ondelete="SET NULL"), index=True)
    #: A registration with the same name under another address, offered for staff to confirm (never applied).
    suggested_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_registration.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration | None] = relationship(foreign_keys=[registration_id])
    suggested: Mapped[Registration | None] = relationship(foreign_keys=[suggested_registration_id])


class Feedback(db.Model):
    """One person's answer to an event's feedback form: one per registration, changeable for a week."""

    __tablename__ = "event_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("event_registration.id", ondelete="CASCADE"), unique=True)
    #: The 1–5 grade of each question, in the order of the event's questions (None: not answered).
    grades: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    #: The results page and its export never show the person's name.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    registration: Mapped[Registration] = relationship()
