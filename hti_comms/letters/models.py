"""Printed letters: one print batch per send, one letter per person whose channel is `brev`."""
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..status import LabelledEnum


class BatchStatus(LabelledEnum):
    WAITING = ("waiting", "Att skriva ut")
    PRINTED = ("printed", "Utskriven")


#: A batch is printed once; printing is recorded, never taken back (the paper has left).
BATCH_TRANSITIONS: dict[BatchStatus, frozenset[BatchStatus]] = {
    BatchStatus.WAITING: frozenset({BatchStatus.PRINTED}),
    BatchStatus.PRINTED: frozenset(),
}


def can_mark_printed(batch: "PrintBatch") -> bool:
    return batch.status is BatchStatus.WAITING and batch.letter_count > 0


class PrintBatch(db.Model):
    """The letters of one send, printed together from one PDF."""

    __tablename__ = "print_batch"
    __table_args__ = (Index("ix_print_batch_owner", "owner_domain", "owner_kind", "owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The delivery send (`delivery.models.Send.id`) the letters go with; a plain number, owned by delivery.
    send_id: Mapped[int] = mapped_column(index=True)
    owner_domain: Mapped[str] = mapped_column(String(40))
    owner_kind: Mapped[str] = mapped_column(String(50))
    owner_key: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(300))
    #: The letter's body as HTML made by `letters.content` (the same for every letter of the batch).
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[BatchStatus] = mapped_column(
        Enum(BatchStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
             validate_strings=True, name="print_batch_status"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Number of letters now in the batch (kept with the rows: erasure lowers it).
    letter_count: Mapped[int] = mapped_column(default=0)
    #: People whose channel is `brev` but who have no complete postal address: no letter, counted for staff.
    without_address: Mapped[int] = mapped_column(default=0)
    #: The PDF of the whole batch, made outside web requests (the sweep or `hti letters pdf`); None = not yet
    #: made, or out of date after a letter was removed.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The staff member who marked it printed.
    printed_by: Mapped[str] = mapped_column(String(255), default="")

    letters: Mapped[list["Letter"]] = relationship(back_populates="batch", cascade="all, delete-orphan",
                                                    passive_deletes=True, order_by="Letter.id")


class Letter(db.Model):
    """One printed letter: the address as it was when the send started."""

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("print_batch.id", ondelete="CASCADE"), index=True)
    #: The subscribers domain's contact (a plain number: erasure removes the letter with the person).
    contact_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(120))
    street_address: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(6))
    town: Mapped[str] = mapped_column(String(80))

    batch: Mapped[PrintBatch] = relationship(back_populates="letters")

    @property
    def address_lines(self) -> list[str]:
        return [self.name, self.street_address, f"{self.postcode} {self.town}"]
