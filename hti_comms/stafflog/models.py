"""The staff log: one row per staff action that changes data or sends anything, and per embargo event."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class LogEntry(db.Model):
    """Who did what, to which object, when and from which address.

    Rows with a `year` are the embargo log of that year (`hti_comms.publication.audit`): those events also come from
    the order form, the scheduler and the municipalities' contacts, so `actor` is not always a staff member.
    """

    __tablename__ = "staff_log"
    __table_args__ = (Index("ix_staff_log_year_at", "year", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: The staff member who acted (None: someone or something else, named in `actor`).
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    #: A staff member's address, "schemaläggaren", "formuläret", "kommandoraden" or a contact's address.
    actor: Mapped[str] = mapped_column(String(255), default="")
    #: The client address the request came from (None outside a web request).
    address: Mapped[str | None] = mapped_column(String(64))
    #: What kind of action: a staff route ("newsletters_admin.pause_view"), "auth.login", "publication.<event>".
    kind: Mapped[str] = mapped_column(String(80), index=True)
    #: The action in Swedish as it was called when it happened ("Pausade ett utskick").
    action: Mapped[str] = mapped_column(String(200))
    #: Which object, in words ("nyhetsbrev 12, avsnitt 3"); empty when the action has none.
    target: Mapped[str] = mapped_column(String(300), default="")
    #: Plain Swedish details; no more personal data than the action needs.
    detail: Mapped[str] = mapped_column(Text, default="")
    #: The index year and municipality of an embargo event.
    year: Mapped[int | None] = mapped_column(Integer)
    municipality_code: Mapped[str | None] = mapped_column(String(4))
