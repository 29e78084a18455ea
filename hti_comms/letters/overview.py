"""The letters domain's block on the staff overview: print batches waiting to be printed."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import defer

from ..domain import OverviewPart
from ..extensions import db
from .models import BatchStatus, PrintBatch


def batches_waiting() -> OverviewPart | None:
    """Print batches with letters that nobody has marked printed yet."""
    waiting = list(db.session.scalars(select(PrintBatch).options(defer(PrintBatch.pdf)).where(
        PrintBatch.status == BatchStatus.WAITING, PrintBatch.letter_count > 0).order_by(PrintBatch.created_at)))
    if not waiting:
        return None
    return OverviewPart("waiting", "web/letters/_overview.html", {"batches": waiting}, order=30)
