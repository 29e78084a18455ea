"""The PDF of a print batch (WeasyPrint): a cover page, then one letter per person, for C5/C65 window envelopes.

Geometry (A4, 210 × 297 mm; the window envelope's window per the Swedish standard for window envelopes sits
about 20 mm from the left edge and 45–90 mm from the top edge): the address block is placed 25 mm from the
left edge and 52–82 mm from the top, 80 mm wide, so it shows in the window with a margin on every side. The
sender's return address and the date stand above it (15–45 mm from the top), outside the window.

Each letter's pages are numbered on their own ("Sida 1 av 2"): letters alternate between two named pages,
so each starts a page group that resets the counter. Every letter of a batch has the same body, so the page
count of one letter is the count of all of them.

WeasyPrint is imported inside the functions: importing it takes about half a second.
"""
from __future__ import annotations

import io

from flask import current_app, render_template

from ..config import PROJECT_ROOT
from ..formatting import format_day
from ..organisation import ORGANISATION
from ..extensions import db
from .models import Letter, PrintBatch

#: SPF Seniorerna's postal address, printed as the return address unless CONTACT_ADDRESS is configured.
RETURN_ADDRESS = ("SPF Seniorerna", "Box 22574", "104 22 Stockholm")


def return_address() -> tuple[str, ...]:
    configured = current_app.config.get("CONTACT_ADDRESS") or ""
    if configured:
        return (ORGANISATION, *(part.strip() for part in configured.split(",") if part.strip()))
    return RETURN_ADDRESS


def _html(batch: PrintBatch, letters, pages_per_letter: int | None, *, cover: bool) -> str:
    return render_template("pdf/letters/batch.html", batch=batch, letters=letters, cover=cover,
                           pages_per_letter=pages_per_letter, return_address=return_address(),
                           date_text=format_day(batch.created_at))


def _letter_pages(batch: PrintBatch, letter: Letter) -> int:
    """Return how many pages one letter of the batch takes (all take the same: one body, one address block)."""
    from weasyprint import HTML

    return len(HTML(string=_html(batch, [letter], None, cover=False), base_url=str(PROJECT_ROOT)).render().pages)


def batch_pdf(batch: PrintBatch) -> bytes:
    """Return the PDF of the whole batch: the cover page and every letter."""
    from weasyprint import HTML

    letters = list(db.session.scalars(db.select(Letter).where(Letter.batch_id == batch.id).order_by(Letter.id)))
    pages = _letter_pages(batch, letters[0]) if letters else None
    html = _html(batch, letters, pages, cover=True)
    output = io.BytesIO()
    HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf(output)
    return output.getvalue()


def pdf_filename(batch: PrintBatch) -> str:
    return f"brev-omgang-{batch.id}-utskick-{batch.send_id}.pdf"
