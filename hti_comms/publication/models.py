"""Publication moments, report-package orders with their contacts, summary openings and the audit log."""
from datetime import datetime

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from ..dbtypes import PartialIndex, UTCDateTime
from ..extensions import db
from ..geo.models import Municipality
from ..status import LabelledEnum
from ..subscribers.models import Contact


def _enum(enum_class, name: str) -> Enum:
    return Enum(enum_class, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Publication(db.Model):
    """What staff decided about one index year besides its publication moment: when ordering closes.

    The publication moment itself has one home, `results.models.PublicationMoment` (the public pages read it
    there), whether or not the year's results are imported (`moments.set_publication` sets it).
    """

    __tablename__ = "publication"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: No new orders from this moment on; None: ordering closes at the publication.
    orders_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the access emails went out (set by the sweep at publication); None until then.
    access_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OrderStatus(LabelledEnum):
    #: From the public form, until one of its contacts has confirmed by email and been approved by staff: it holds
    #: no place in the queue and does not stop anyone else ordering for the municipality (see `entitlement`).
    PENDING = ("pending", "Väntar på bekräftelse och kontroll")
    #: Live: someone entitled stands behind it; it has its place in the queue by arrival.
    RECEIVED = ("received", "Mottagen")
    DELIVERED = ("delivered", "Analys levererad")
    #: Withdrawn by staff (a mistaken or doubtful order): the municipality is not entitled to anything.
    CANCELLED = ("cancelled", "Makulerad")


#: Orders that hold the municipality's one place for the year (the partial unique index covers only these).
LIVE_ORDER_STATUSES = (OrderStatus.RECEIVED, OrderStatus.DELIVERED)

ORDER_TRANSITIONS = {
    OrderStatus.PENDING: frozenset({OrderStatus.RECEIVED, OrderStatus.CANCELLED}),
    OrderStatus.RECEIVED: frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


class OrderSource(LabelledEnum):
    FORM = ("form", "Beställningsformuläret")
    STAFF = ("staff", "Personal")
    DEMO = ("demo", "Demodata")


_LIVE_SQL = "status IN ('received', 'delivered')"


class Order(db.Model):
    """A municipality's report-package order for one index year."""

    __tablename__ = "report_order"
    __table_args__ = (
        #: One live order per municipality and year; pending and cancelled orders block nobody.
        PartialIndex("uq_report_order_year_municipality", "year", "municipality_code", unique=True,
                     where=text(_LIVE_SQL)),
        UniqueConstraint("year", "sequence", name="uq_report_order_year_sequence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    #: When the order arrived, to the microsecond; the queue is ordered by it, then by `sequence`.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Tie-break: 1, 2, 3 … in the order the orders were stored within the year, so two orders that arrive in the
    #: same microsecond (or on a clock without them) still get distinct queue places.
    sequence: Mapped[int] = mapped_column(Integer)
    invoice_reference: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus, "report_order_status"), default=OrderStatus.RECEIVED)
    source: Mapped[OrderSource] = mapped_column(_enum(OrderSource, "report_order_source"))
    created_by: Mapped[str] = mapped_column(String(255), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why the analysis was delivered before an earlier order's (asked for and recorded when out of order).
    out_of_order_reason: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    municipality: Mapped[Municipality] = relationship()
    contacts: Mapped[list["OrderContact"]] = relationship(back_populates="order", cascade="all, delete-orphan",
                                                        order_by="OrderContact.id")

    @property
    def is_live(self) -> bool:
        """Return whether the order holds the municipality's place (someone entitled stands behind it)."""
        return self.status in LIVE_ORDER_STATUSES


class OrderContact(db.Model):
    """A municipal official named on an order: gets the embargoed summary and the access email once confirmed."""

    __tablename__ = "report_order_contact"
    __table_args__ = (UniqueConstraint("order_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("report_order.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    #: Random key naming this person on this order in their personal links (summary, confirmation).
    key: Mapped[str] = mapped_column(String(32), unique=True)
    #: When they confirmed (double opt-in) that they are the municipality's contact for the order; staff entry
    #: confirms at once. Only confirmed contacts receive anything with results.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When staff checked that the person really is the municipality's contact. Anyone can type any address into
    #: the public order form and confirm it, so nothing with results reaches a contact from the form before
    #: staff approve them; staff and command-line entry approve at once.
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship(back_populates="contacts")
    contact: Mapped[Contact] = relationship()


class SummaryOpening(db.Model):
    """One opening of the web version of an embargoed summary by the contact it was sent to."""

    __tablename__ = "summary_opening"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_contact_id: Mapped[int] = mapped_column(ForeignKey("report_order_contact.id", ondelete="CASCADE"),
                                                  index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditAction(LabelledEnum):
    """The events of the embargo log (rows of the staff log, kind "publication.<value>": `publication.audit`)."""

    ORDER_CREATED = ("order_created", "Beställning mottagen")
    #: A pending order from the public form got its place in the queue (someone entitled stands behind it).
    ORDER_PLACED = ("order_placed", "Beställningen fick sin plats i kön")
    ORDER_DELIVERED = ("order_delivered", "Analys levererad")
    ORDER_CANCELLED = ("order_cancelled", "Beställning makulerad")
    CONTACT_ADDED = ("contact_added", "Kontaktperson tillagd")
    CONTACT_CONFIRMED = ("contact_confirmed", "Kontaktperson bekräftad")
    CONTACT_APPROVED = ("contact_approved", "Kontaktperson godkänd av personal")
    CONTACT_REMOVED = ("contact_removed", "Kontaktperson borttagen")
    PUBLICATION_SET = ("publication_set", "Publiceringstid satt")
    PUBLICATION_POSTPONED = ("publication_postponed", "Publiceringen flyttad")
    ORDERS_CLOSE_SET = ("orders_close_set", "Sista beställningsdag satt")
    SUMMARIES_RELEASED = ("summaries_released", "Sammanfattningar under embargo skickade")
    SUMMARY_WITHHELD = ("summary_withheld", "Sammanfattning stoppad: siffrorna stämmer inte")
    SUMMARY_OPENED = ("summary_opened", "Sammanfattning öppnad")
    ACCESS_SENT = ("access_sent", "Tillgångsbrev skickade")
