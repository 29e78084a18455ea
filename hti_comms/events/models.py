"""Events (courses, webinars, the publication, webcasts), their speakers, registrations and reminders."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..status import LabelledEnum, can_transition
from ..tokens import new_subject_key


def _enum(enum_class, name: str) -> Enum:
    # Stored as the lower-case value in a plain string column: portable and readable in SQL.
    return Enum(enum_class, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class EventKind(LabelledEnum):
    KURS = ("kurs", "Kurs")
    WEBBINARIUM = ("webbinarium", "Webbinarium")
    #: The yearly publication: an information item, never a registration or a join link.
    PUBLICERING = ("publicering", "Publicering")
    #: Streamed to anyone with the public stream link; never a registration.
    WEBBSANDNING = ("webbsandning", "Webbsändning")

    @property
    def allows_registration(self) -> bool:
        return self in (EventKind.KURS, EventKind.WEBBINARIUM)


class RegistrationMode(LabelledEnum):
    NONE = ("none", "Ingen anmälan")
    HERE = ("here", "Anmälan här")
    EXTERNAL = ("external", "Anmälan hos mötestjänsten (extern länk)")


class EventStatus(LabelledEnum):
    SCHEDULED = ("scheduled", "Planerat")
    CANCELLED = ("cancelled", "Inställt")


EVENT_TRANSITIONS = {
    EventStatus.SCHEDULED: frozenset({EventStatus.CANCELLED}),
    EventStatus.CANCELLED: frozenset(),
}


class RegistrationStatus(LabelledEnum):
    REGISTERED = ("registered", "Anmäld")
    WAITING = ("waiting", "På väntelistan")
    CANCELLED = ("cancelled", "Avbokad")


REGISTRATION_TRANSITIONS = {
    RegistrationStatus.REGISTERED: frozenset({RegistrationStatus.CANCELLED}),
    #: A freed place promotes the first in line.
    RegistrationStatus.WAITING: frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.CANCELLED}),
    #: Registering again with the same address after cancelling.
    RegistrationStatus.CANCELLED: frozenset({RegistrationStatus.REGISTERED, RegistrationStatus.WAITING}),
}


class ReminderStatus(LabelledEnum):
    PENDING = ("pending", "Väntar")
    #: Claimed by the sweep with a conditional UPDATE (pending → sent) in the transaction that enqueues it.
    SENT = ("sent", "Skickad")
    #: Its moment passed too long ago (the scheduler was down), or a later reminder replaced it.
    SKIPPED = ("skipped", "Hoppades över")


class Event(db.Model):
    """Something people can attend or follow: a course, a webinar, the publication, a webcast."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown, rendered with hti_comms.markdown.
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    registration_mode: Mapped[RegistrationMode] = mapped_column(_enum(RegistrationMode, "registration_mode"))
    #: The video-meeting service's own registration page (registration mode "external").
    registration_url: Mapped[str] = mapped_column(String(500), default="")
    #: Private: only in registered people's emails and invitations, never on a public page or feed.
    join_url: Mapped[str] = mapped_column(String(500), default="")
    #: Public: where anyone can watch a webcast.
    stream_url: Mapped[str] = mapped_column(String(500), default="")
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: None: registration closes when the event starts.
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: None: no limit.
    capacity: Mapped[int | None] = mapped_column(Integer)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    organiser_email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus, "event_status"), default=EventStatus.SCHEDULED)
    #: iCalendar SEQUENCE: raised on every change people's calendars should follow.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The index year whose publication this event is (kind "publicering"): its time is that year's publication
    #: moment, written only when the moment is set or moved (`publication.moments.set_publication`), never typed.
    #: None: an event with a time of its own.
    publication_year: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: After the event (events.followup): the recording, and material links one a line; on the public page.
    recording_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    material_urls: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: When attendance was last imported (events.attendance); None: never.
    attendance_imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: A basic course ("grundkurs"): who attended one counts for their council (events.councils).
    is_basic_course: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Extra questions of the registration form (events.questions), or None.
    registration_questions: Mapped[list | None] = mapped_column(JSON)
    #: The 1–5 questions of the feedback form (events.feedback); None: the default questions.
    feedback_questions: Mapped[list | None] = mapped_column(JSON)

    speakers: Mapped[list["EventSpeaker"]] = relationship(
        back_populates="event", order_by="EventSpeaker.position", cascade="all, delete-orphan")
    reminders: Mapped[list["EventReminder"]] = relationship(
        back_populates="event", order_by="EventReminder.minutes_before.desc()", cascade="all, delete-orphan")

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    @property
    def is_linked_to_publication(self) -> bool:
        """Return whether the event's time is a year's publication moment (changed only by moving the moment)."""
        return self.publication_year is not None

    @property
    def takes_registrations_here(self) -> bool:
        return self.registration_mode is RegistrationMode.HERE

    @property
    def reminder_offsets(self) -> list[int]:
        """Return the minutes before the start at which registered people get a reminder, largest first."""
        return [reminder.minutes_before for reminder in self.reminders]


class EventSpeaker(db.Model):
    __tablename__ = "event_speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    #: What they are, e.g. "förbundsordförande, SPF Seniorerna".
    title: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[Event] = relationship(back_populates="speakers")


def new_key() -> str:
    """Return a random key for a personal link: unguessable, and never derived from the address."""
    return new_subject_key()


class Registration(db.Model):
    """One person's registration for one event (at most one per address and event)."""

    __tablename__ = "event_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        Index("ix_event_registration_event_id_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    #: Random; inside the signed cancel link. A new one when a cancelled registration is taken up again,
    #: so an old link never cancels the new registration.
    key: Mapped[str] = mapped_column(String(64), unique=True, default=new_key)
    #: iCalendar UID of this person's invitation: stable for the registration, the same in every update.
    calendar_uid: Mapped[str] = mapped_column(String(120), unique=True)
    #: Lower-case ASCII (hti_comms.addresses).
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The role chosen on the form (the subscribers domain's role choices), as its Swedish words.
    role: Mapped[str] = mapped_column(String(100), default="")
    #: Municipality or association the person comes from.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: Accessibility needs (optional).
    needs: Mapped[str] = mapped_column(Text, default="")
    #: A question to the speakers (optional).
    question: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RegistrationStatus] = mapped_column(_enum(RegistrationStatus, "registration_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the person got a place (registration, or promotion from the waiting list).
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the person joined the waiting list: the order of the line.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the confirmation (or waiting-list notice) was last queued: registering again within the hour sends
    #: nothing more (`CONFIRMATION_RESEND_MINUTES`).
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: From the imported attendance report: True came, False did not, None no report yet; minutes in session.
    attended: Mapped[bool | None] = mapped_column(Boolean)
    attended_minutes: Mapped[int | None] = mapped_column(Integer)
    #: Answers to the event's extra questions, in their order (events.questions), or None.
    answers: Mapped[list | None] = mapped_column(JSON)

    event: Mapped[Event] = relationship()


class EventReminder(db.Model):
    """One reminder of one event: due a fixed time before the start, sent once to every registered person."""

    __tablename__ = "event_reminder"
    __table_args__ = (
        UniqueConstraint("event_id", "minutes_before"),
        Index("ix_event_reminder_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    minutes_before: Mapped[int] = mapped_column(Integer)
    #: starts_at − minutes_before; moves with the event.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ReminderStatus] = mapped_column(_enum(ReminderStatus, "reminder_status"),
                                                   default=ReminderStatus.PENDING)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How many people it went to, or why it was skipped (Swedish, for the staff page).
    note: Mapped[str] = mapped_column(String(300), default="")

    event: Mapped[Event] = relationship(back_populates="reminders")


# --- guards -----------------------------------------------------------------------------------------------

def can_cancel_event(event: Event) -> bool:
    return can_transition(EVENT_TRANSITIONS, event.status, EventStatus.CANCELLED)


def can_edit(event: Event) -> bool:
    return not event.is_cancelled


def can_cancel_registration(registration: Registration) -> bool:
    return can_transition(REGISTRATION_TRANSITIONS, registration.status, RegistrationStatus.CANCELLED)
