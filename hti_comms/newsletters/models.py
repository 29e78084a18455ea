"""Numbered newsletters and circulars: the issue, its sections, their images, and the links that were sent."""
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, deferred, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..delivery.api import send_status_of
from ..extensions import db
from .state import (  # noqa: F401 (the status lives in .state; importers find it here as before)
    NEWSLETTER_TRANSITIONS, STATUS_TYPE, NewsletterKind, NewsletterStatus, derived_status, enum_type,
    status_expression,
)

#: The list a newsletter goes out on unless staff choose another.
DEFAULT_LIST_KEY = "nyhetsbrev"


#: A subject that starts by naming the issue ("Hemtjänstindex nyhetsbrev #14: …", "Nyhetsbrev nr 14 – …").
_NUMBER_PREFIX = re.compile(r"^\s*(?:hemtjänstindex\s+)?nyhetsbrev\s*(?:nr\.?\s*|nummer\s*)?#?\s*(\d+)\s*[:–—-]?\s*",
                            re.IGNORECASE)
#: An issue number anywhere in a subject: "nyhetsbrev #14", "nyhetsbrev nr 14", "Nyhetsbrev 14", "#14".
_NUMBER_ANYWHERE = re.compile(r"\bnyhetsbrev\s*(?P<marker>nr\.?\s*|nummer\s*|#\s*)?(?P<digits>\d+)|#\s*(?P<bare>\d+)",
                              re.IGNORECASE)


def repeated_number(subject: str, number: int | None) -> str | None:
    """Return the words of a subject that name an issue number ("nyhetsbrev #14"), or None.

    "Nyhetsbrev 2025: …" names a year, not an issue: a number without "#" or "nr" counts only when it is the
    newsletter's own.
    """
    for found in _NUMBER_ANYWHERE.finditer(subject or ""):
        if found["bare"] or found["marker"] or int(found["digits"]) == number:
            return found.group(0).strip()
    return None


class Newsletter(db.Model):
    """One numbered newsletter or one circular letter, from draft to archive."""

    __tablename__ = "newsletter"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NewsletterKind] = mapped_column(enum_type(NewsletterKind, "newsletter_kind"), index=True)
    #: The newsletter's own state (the column "status"): draft, scheduled, and "sending" once started; from then
    #: on its send decides (`status`), so nothing copies the send's state here.
    stage: Mapped[NewsletterStatus] = mapped_column("status", STATUS_TYPE, default=NewsletterStatus.DRAFT,
                                                    index=True)
    #: The issue number of a newsletter ("#14"); None for circulars.
    number: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(300), default="")
    #: The heading of a circular (a newsletter's title is made from its number).
    heading: Mapped[str] = mapped_column(String(300), default="")
    #: The one-line list of topics under the title; None = made from the section titles.
    topics: Mapped[str | None] = mapped_column(String(500))
    #: Markdown shown before the sections (optional).
    intro: Mapped[str] = mapped_column(Text, default="")
    #: The mailing list it goes out on: who has agreed to get it, and what the unsubscribe link leaves.
    list_key: Mapped[str] = mapped_column(String(40), default=DEFAULT_LIST_KEY)
    #: Saved audiences (subscribers.Audience ids) that narrow the list; empty = everyone on the list.
    audience_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # A circular's letter parts.
    addressee: Mapped[str] = mapped_column(String(500), default="")
    letter_date: Mapped[date | None] = mapped_column(Date)
    forward_note: Mapped[str] = mapped_column(String(500), default="")
    forward_url: Mapped[str] = mapped_column(String(1000), default="")
    signature_name: Mapped[str] = mapped_column(String(200), default="")
    signature_title: Mapped[str] = mapped_column(String(200), default="")

    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: The day a draft is meant to go out (a copy for next year gets its original's day moved to the same weekday):
    #: shown on the year plan; nothing is sent by it. Scheduling sets `scheduled_at`.
    planned_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The delivery send of the real send-out (set when it starts).
    send_id: Mapped[int | None] = mapped_column(ForeignKey("send.id", ondelete="SET NULL"))
    recipient_count: Mapped[int | None] = mapped_column(Integer)
    #: The warnings (their texts) staff confirmed when scheduling; a new warning at the start stops the send.
    confirmed_warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Why the send did not start (the checks at the due time found something); shown to staff.
    stopped_reason: Mapped[str | None] = mapped_column(Text)
    #: What was sent, rendered at the start with direct links and no personal data: the web archive and feed.
    archive: Mapped[dict[str, Any] | None] = deferred(mapped_column(JSON))
    #: Demo content made by `hti init-db --demo`; marked as such wherever it is shown.
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    sections: Mapped[list["Section"]] = relationship(
        back_populates="newsletter", order_by="Section.position", cascade="all, delete-orphan",
        passive_deletes=True)
    links: Mapped[list["SentLink"]] = relationship(
        order_by="SentLink.position", cascade="all, delete-orphan", passive_deletes=True)

    @hybrid_property
    def status(self) -> NewsletterStatus:
        """Its own state until it starts, then its send's: sending (or paused), sent, cancelled."""
        return derived_status(self.stage, self.send_status)

    @status.inplace.setter
    def _status_setter(self, value: NewsletterStatus) -> None:  # before it starts (transition() sets it)
        self.stage = value

    @status.inplace.expression
    @classmethod
    def _status_expression(cls):
        return status_expression(cls.stage, cls.send_id)

    @property
    def is_circular(self) -> bool:
        return self.kind is NewsletterKind.CIRCULAR

    @property
    def title(self) -> str:
        """Return what heads the email: "Hemtjänstindex nyhetsbrev #14", or the circular's heading."""
        if self.is_circular:
            return self.heading or self.subject
        return f"Hemtjänstindex nyhetsbrev #{self.number}" if self.number else "Hemtjänstindex nyhetsbrev"

    @property
    def generated_topics(self) -> str:
        return " – ".join(s.title.strip() for s in self.sections if s.title.strip())

    @property
    def topics_line(self) -> str:
        return self.topics if self.topics is not None else self.generated_topics

    @property
    def topic(self) -> str:
        """Return the subject for a line that already names the issue: without a leading repeat of its own number.

        "Hemtjänstindex nyhetsbrev #14: Ny rapport" is shown after "Nyhetsbrev #14" as "Ny rapport"; another
        number is left as written (the checks warn about it).
        """
        subject = self.subject or ""
        repeat = _NUMBER_PREFIX.match(subject)
        if repeat and not self.is_circular and self.number is not None and int(repeat.group(1)) == self.number:
            return subject[repeat.end():].strip() or subject
        return subject

    @property
    def label(self) -> str:
        """Return what staff call it in lists: "Nyhetsbrev #14: Ämne" or "Cirkulär: Rubrik"."""
        name = f"{self.kind.label} #{self.number}" if self.number and not self.is_circular else self.kind.label
        return f"{name}: {self.topic or '(utan ämne)'}"


#: The state of the newsletter's send, read with it (one correlated subquery; None before it starts).
Newsletter.send_status = column_property(send_status_of(Newsletter.__table__.c.send_id))


class Section(db.Model):
    """One part of a newsletter: a title, a body whose kind decides how it is rendered, an image, a link."""

    __tablename__ = "newsletter_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletter.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: A registered section kind ("text", or one another domain added; see newsletters.sections).
    kind: Mapped[str] = mapped_column(String(40), default="text")
    title: Mapped[str] = mapped_column(String(200), default="")
    #: Markdown (for the "text" kind; other kinds may use it as an introduction).
    body: Mapped[str] = mapped_column(Text, default="")
    #: Settings of other section kinds (e.g. chosen event ids), as their form produced them.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link_url: Mapped[str] = mapped_column(String(1000), default="")
    link_text: Mapped[str] = mapped_column(String(200), default="")
    image_alt: Mapped[str] = mapped_column(String(300), default="")

    newsletter: Mapped[Newsletter] = relationship(back_populates="sections")
    image: Mapped["SectionImage | None"] = relationship(
        back_populates="section", cascade="all, delete-orphan", passive_deletes=True, uselist=False)


class SectionImage(db.Model):
    """The image of a section: stored here, sent inline (cid:) and shown in the archive."""

    __tablename__ = "newsletter_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("newsletter_section.id", ondelete="CASCADE"), unique=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    section: Mapped[Section] = relationship(back_populates="image")


class SentLink(db.Model):
    """A link of a sent newsletter, in order, with how many times readers clicked it (never by whom)."""

    __tablename__ = "newsletter_link"
    __table_args__ = (UniqueConstraint("newsletter_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletter.id", ondelete="CASCADE"))
    #: The link's number in the email, from 0; the redirect token carries (newsletter, position) only.
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2000))
    text: Mapped[str] = mapped_column(String(300), default="")
    #: Where in the email it is (a Swedish field name such as "Avsnitt 2 ”Ny rapport”").
    place: Mapped[str] = mapped_column(String(300), default="")
    clicks: Mapped[int] = mapped_column(Integer, default=0)


def can_edit(newsletter: Newsletter) -> bool:
    """Return whether the content may change: until the send starts."""
    return newsletter.status in (NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED)


def can_schedule(newsletter: Newsletter) -> bool:
    return newsletter.status in (NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED)


def can_unschedule(newsletter: Newsletter) -> bool:
    return newsletter.status is NewsletterStatus.SCHEDULED


def can_delete(newsletter: Newsletter) -> bool:
    return newsletter.status is NewsletterStatus.DRAFT


def is_public(newsletter: Newsletter) -> bool:
    """Return whether the web archive shows it: once it has started going out, unless it was cancelled."""
    return newsletter.status in (NewsletterStatus.SENDING, NewsletterStatus.SENT) and newsletter.archive is not None


class TrialAddress(db.Model):
    """An address outside the staff logins that test sends may go to: named by staff, confirmed once by its owner.

    A test send shows unpublished content; it goes only to staff logins and to these, each confirmed with the
    button in an email to the address itself (so nobody's test goes to an address typed by mistake).
    """

    __tablename__ = "newsletter_trial_address"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case ASCII (hti_comms.addresses).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Random; names the address in its confirmation link.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    added_by: Mapped[str] = mapped_column(String(255), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the owner pressed the button in the email; test sends go to it only from then on.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the confirmation email was last queued (no second one within `CONFIRMATION_RESEND_MINUTES`).
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
