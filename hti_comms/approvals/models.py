"""Approval requests: a public, irreversible action waiting for a second person with the right role."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import StaffUser
from ..auth.roles import Role
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..status import LabelledEnum


class ApprovalStatus(LabelledEnum):
    WAITING = ("waiting", "Väntar på godkännande")
    APPROVED = ("approved", "Godkänd")
    #: The requester took it back, or what it was about went away (a send cancelled, a newsletter unscheduled).
    WITHDRAWN = ("withdrawn", "Återtagen")


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class ApprovalRequest(db.Model):
    """One action that waits for a second person: a large send, a late move of the publication, a contact."""

    __tablename__ = "approval_request"
    __table_args__ = (Index("ix_approval_request_status_kind", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "send", "newsletter", "publication_moment" or "order_contact" (`approvals.kinds`).
    kind: Mapped[str] = mapped_column(String(40))
    #: The role the second person must have.
    role: Mapped[Role] = mapped_column(_enum(Role, "approval_role"))
    status: Mapped[ApprovalStatus] = mapped_column(_enum(ApprovalStatus, "approval_status"),
                                                   default=ApprovalStatus.WAITING)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Typed keys of what it is about (one of them, by kind); no foreign keys, the domains stay independent.
    send_id: Mapped[int | None] = mapped_column(Integer, index=True)
    newsletter_id: Mapped[int | None] = mapped_column(Integer, index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    order_contact_id: Mapped[int | None] = mapped_column(Integer)
    #: What the action will do when approved (a publication move: the new moments, ISO 8601).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What it is, in words ("Nyhetsbrev #14: Höstens nyheter"), and to whom it goes.
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(Text, default="")
    recipient_count: Mapped[int | None] = mapped_column(Integer)
    #: When a scheduled send was to go: not approved by then, it waits (and never goes late unless approved again).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: What the approval covers (a digest of a newsletter's content when it was approved); a change reopens it.
    version: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(Text, default="")

    requested_by: Mapped[StaffUser] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[StaffUser | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_waiting(self) -> bool:
        return self.status is ApprovalStatus.WAITING
