"""Collecting letters into print batches, marking them printed, and keeping each batch's PDF.

A send's audience is split by the contact's channel where it is resolved (`subscribers.audiences`): email
for `e-post`, a letter for `brev`, so no one gets both. The same rules choose both halves (a confirmed
contact on the list, not suppressed, not erased), so consent and suppression apply to letters as to email.
Embargoed summaries are never collected: they are sent only to a municipality's registered contacts by email.
"""
from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from sqlalchemy import delete, func, select
from sqlalchemy.orm import defer

from .. import clock
from ..delivery.owner import Owner
from ..extensions import db
from ..status import transition
from ..subscribers.models import Contact
from .content import LetterContent
from .models import BATCH_TRANSITIONS, BatchStatus, Letter, PrintBatch, can_mark_printed

CHUNK = 1000


class LetterError(ValueError):
    """A Swedish message about a print batch that cannot be changed."""


def _waiting_batch(owner: Owner, send_id: int, content: LetterContent) -> PrintBatch:
    batch = db.session.scalar(select(PrintBatch).where(PrintBatch.send_id == send_id,
                                                       PrintBatch.status == BatchStatus.WAITING))
    if batch is None:
        batch = PrintBatch(send_id=send_id, owner_domain=owner.domain, owner_kind=owner.kind, owner_key=owner.key,
                           title=content.title[:300], body_html=content.body_html, status=BatchStatus.WAITING,
                           created_at=clock.now(), letter_count=0, without_address=0)
        db.session.add(batch)
        db.session.flush()
    return batch


def collect(owner: Owner, send_id: int, contact_ids: Iterable[int], content: LetterContent) -> PrintBatch | None:
    """Add a letter for each contact to the send's waiting print batch, in the caller's transaction.

    Safe to call again for the same send (a brief sent again later): someone who already has a letter for the
    send gets none. Returns the batch, or None when there is no one to write to.
    """
    already = set(db.session.scalars(select(Letter.contact_id).join(PrintBatch).where(PrintBatch.send_id == send_id)))
    batch = None
    ids = iter(contact_ids)
    while chunk := [i for i in islice(ids, CHUNK) if i not in already]:
        contacts = db.session.execute(select(Contact.id, Contact.name, Contact.postal_name, Contact.street_address,
                                             Contact.postcode, Contact.town).where(Contact.id.in_(chunk))
                                      .order_by(Contact.id)).all()
        if batch is None:
            batch = _waiting_batch(owner, send_id, content)
        rows = []
        for contact_id, name, postal_name, street, postcode, town in contacts:
            if not (street and postcode and town):
                batch.without_address += 1
                continue
            rows.append({"batch_id": batch.id, "contact_id": contact_id, "name": (postal_name or name)[:120],
                         "street_address": street, "postcode": postcode, "town": town})
        if rows:
            db.session.execute(Letter.__table__.insert(), rows)
            batch.letter_count += len(rows)
        already.update(chunk)
    if batch is not None:
        batch.pdf, batch.pdf_made_at = None, None
    return batch


def all_batches() -> list[PrintBatch]:
    """Return every batch, the newest first (without loading the PDFs)."""
    return list(db.session.scalars(select(PrintBatch).options(defer(PrintBatch.pdf))
                                   .order_by(PrintBatch.created_at.desc(), PrintBatch.id.desc())))


def batches_for_send(send_id: int) -> list[PrintBatch]:
    return list(db.session.scalars(select(PrintBatch).options(defer(PrintBatch.pdf))
                                   .where(PrintBatch.send_id == send_id).order_by(PrintBatch.id)))


def get_batch(batch_id: int) -> PrintBatch:
    batch = db.session.get(PrintBatch, batch_id)
    if batch is None:
        raise LetterError(f"Det finns ingen utskriftsomgång med nummer {batch_id}.")
    return batch


def mark_printed(batch: PrintBatch, by: str) -> None:
    """Record that the batch is printed, by whom and when, and commit."""
    if batch.status is BatchStatus.PRINTED:
        raise LetterError(f"Omgång {batch.id} är redan markerad som utskriven.")
    if not can_mark_printed(batch):
        raise LetterError(f"Omgång {batch.id} har inga brev att skriva ut.")
    transition(batch, BatchStatus.PRINTED, BATCH_TRANSITIONS)
    batch.printed_at = clock.now()
    batch.printed_by = by[:255]
    db.session.commit()


def make_pdf(batch: PrintBatch) -> bytes:
    """Render the batch's PDF, keep it on the batch and commit; return it."""
    from .render import batch_pdf

    pdf = batch_pdf(batch)
    batch.pdf, batch.pdf_made_at = pdf, clock.now()
    db.session.commit()
    return pdf


def make_missing_pdfs() -> int:
    """Render the PDF of every waiting batch that has letters and no (current) PDF; return how many."""
    waiting = list(db.session.scalars(select(PrintBatch.id).where(
        PrintBatch.status == BatchStatus.WAITING, PrintBatch.pdf.is_(None), PrintBatch.letter_count > 0)))
    for batch_id in waiting:
        make_pdf(db.session.get(PrintBatch, batch_id))
    return len(waiting)


def remove_letters_of(contact_id: int) -> int:
    """Delete the person's letters (erasure); return how many.

    A waiting batch loses them before it is printed: its count goes down and its PDF is made again without
    them. A printed batch keeps its count (that many letters went out) but no longer the names and addresses.
    """
    counts = dict(db.session.execute(select(Letter.batch_id, func.count()).where(Letter.contact_id == contact_id)
                                     .group_by(Letter.batch_id)).all())
    for batch in db.session.scalars(select(PrintBatch).where(PrintBatch.id.in_(counts))):
        if batch.status is BatchStatus.WAITING:
            batch.letter_count -= counts[batch.id]
        batch.pdf, batch.pdf_made_at = None, None
    db.session.flush()
    return db.session.execute(delete(Letter).where(Letter.contact_id == contact_id)
                              .execution_options(synchronize_session=False)).rowcount


def letters_of(contact_id: int) -> list[tuple[Letter, PrintBatch]]:
    return list(db.session.execute(select(Letter, PrintBatch).join(PrintBatch)
                                   .where(Letter.contact_id == contact_id).order_by(Letter.id)).all())
