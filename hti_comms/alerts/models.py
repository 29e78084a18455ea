"""People who asked for their municipality's result by email at the publication moment ("Min kommun kl. 07.00").

Nobody here is a contact of the subscribers domain: an alert subscriber is on no list and in no audience, so
nothing else is ever sent to them unless they ask for it themselves.
"""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..status import LabelledEnum
from ..tokens import new_subject_key


class AlertStatus(LabelledEnum):
    #: Asked on the form; nothing is sent but the confirmation until they press its button.
    PENDING = ("pending", "Ej bekräftad")
    CONFIRMED = ("confirmed", "Bekräftad")


#: Leaving deletes the person (nothing is kept), so there is no status after CONFIRMED.
ALERT_TRANSITIONS = {
    AlertStatus.PENDING: frozenset({AlertStatus.CONFIRMED}),
    AlertStatus.CONFIRMED: frozenset(),
}


class AlertSubscriber(db.Model):
    """One address that gets the result of one or more municipalities at the publication moment."""

    __tablename__ = "alert_subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case ASCII (hti_comms.addresses); one row per address.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: Opaque random key naming the person in their links (confirmation, one-click way out), never the address.
    link_key: Mapped[str] = mapped_column(String(32), unique=True, default=new_subject_key)
    status: Mapped[AlertStatus] = mapped_column(Enum(AlertStatus, name="alert_status", native_enum=False, length=20,
                                                     values_callable=lambda e: [m.value for m in e],
                                                     validate_strings=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When a confirmation email was last queued: asking again within `CONFIRMATION_RESEND_MINUTES` sends none.
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    municipalities: Mapped[list["AlertMunicipality"]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AlertMunicipality.created_at")


class AlertMunicipality(db.Model):
    """One municipality a subscriber follows; only a confirmed one is ever sent."""

    __tablename__ = "alert_municipality"
    __table_args__ = (Index("ix_alert_municipality_code_confirmed", "municipality_code", "confirmed_at"),)

    subscriber_id: Mapped[int] = mapped_column(ForeignKey("alert_subscriber.id", ondelete="CASCADE"),
                                               primary_key=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the address's owner confirmed this municipality with the button in the email (None: waiting). A
    #: publication sends only municipalities confirmed before its moment.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    subscriber: Mapped[AlertSubscriber] = relationship(back_populates="municipalities")


class AlertRound(db.Model):
    """The alerts of one year's publication: when the sweep had enqueued them all, and what it held back."""

    __tablename__ = "alert_round"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: None while the sweep is still going through the municipalities (it carries on after a crash).
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Messages enqueued.
    sent: Mapped[int] = mapped_column(Integer, default=0)
    #: Municipalities whose figures disagreed with the results: [{"code", "name", "reason"}]; they got nothing.
    held: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
