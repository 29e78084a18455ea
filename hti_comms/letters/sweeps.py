"""The letters domain's scheduled work: the PDF of each new print batch, made outside web requests."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .services import make_missing_pdfs


@sweep("letters.make_pdfs", every_seconds=30)
def make_pdfs() -> int:
    """Render the PDF of every print batch that has none (a batch of 1 000 letters takes tens of seconds)."""
    return make_missing_pdfs()
