"""The PDF of a print batch: a cover page, then one letter per person, for C5/C65 window envelopes.

Geometry (A4, 210 × 297 mm; the window of a C5/C65 window envelope, per the Swedish standard for window
envelopes, sits about 20 mm from the left edge and 45–90 mm from the top edge): the address block is placed
25 mm from the left edge and 52–82 mm from the top, 80 mm wide, so it shows in the window with a margin on every
side. The sender's return address and the date in words stand above it (15–45 mm from the top), outside it.

Every letter of a batch says the same; only the address differs. So the letter is laid out once with
WeasyPrint (its pages numbered "Sida 1 av 3"), the addresses once as one page each, and pypdf puts each address
page over a copy of the letter's first page. Laying out the letter a thousand times would take minutes; this
takes seconds. WeasyPrint is imported inside the functions: importing it takes about half a second.
"""
from __future__ import annotations

import io
import logging

from flask import current_app, render_template

from ..config import PROJECT_ROOT
from ..extensions import db
from ..formatting import format_day
from ..organisation import ORGANISATION
from .models import Letter, PrintBatch

# WeasyPrint and fontTools log every stylesheet and font subset at INFO (as in briefs/pdf.py).
for noisy in ("fontTools", "weasyprint", "weasyprint.progress"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

#: SPF Seniorerna's postal address, printed as the return address unless CONTACT_ADDRESS is configured.
RETURN_ADDRESS = ("SPF Seniorerna", "Box 22574", "104 22 Stockholm")


def return_address() -> tuple[str, ...]:
    configured = current_app.config.get("CONTACT_ADDRESS") or ""
    if configured:
        return (ORGANISATION, *(part.strip() for part in configured.split(",") if part.strip()))
    return RETURN_ADDRESS


def _pdf(template: str, **context) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_template(f"pdf/letters/{template}.html", **context),
                base_url=str(PROJECT_ROOT)).write_pdf()


def batch_pdf(batch: PrintBatch) -> bytes:
    """Return the PDF of the whole batch: the cover page and every letter."""
    import pypdf

    letters = list(db.session.scalars(db.select(Letter).where(Letter.batch_id == batch.id).order_by(Letter.id)))
    date_text = format_day(batch.created_at)
    letter = pypdf.PdfReader(io.BytesIO(_pdf("letter", batch=batch, return_address=return_address(),
                                             date_text=date_text)))
    cover = pypdf.PdfReader(io.BytesIO(_pdf("cover", batch=batch, count=len(letters), date_text=date_text,
                                            pages_per_letter=len(letter.pages))))
    writer = pypdf.PdfWriter()
    writer.add_page(cover.pages[0])
    if letters:
        addresses = pypdf.PdfReader(io.BytesIO(_pdf("addresses", letters=letters)))
        first_page = _as_form(writer, letter.pages[0])
        for address in addresses.pages:
            _draw_under(writer, writer.add_page(address), first_page)
            for page in letter.pages[1:]:
                writer.add_page(page)
    writer.add_metadata({"/Title": f"Brev: {batch.title}"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


#: The name the letter's first page has in each address page's resources.
_FIRST_PAGE = "/HtiLetterFirstPage"


def _as_form(writer, page):
    """Return the page as a form XObject in `writer`: drawn under every address, stored once.

    Merging pages (pypdf's `merge_page`) would instead either copy the page's whole content into each of a
    thousand pages, or, merged onto copies of the one first page, write every address into the content stream
    all those copies share.
    """
    from pypdf.generic import DecodedStreamObject, NameObject

    page = page.clone(writer)
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                 NameObject("/BBox"): page.mediabox, NameObject("/Resources"): page["/Resources"]})
    return writer._add_object(form)


def _draw_under(writer, page, form) -> None:
    """Draw the form under what the page already shows (its own content streams stay as they are)."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    resources = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[NameObject(_FIRST_PAGE)] = form
    under = DecodedStreamObject()
    under.set_data(f"q {_FIRST_PAGE} Do Q\n".encode("ascii"))
    contents = page["/Contents"]
    own = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(under), *own])


def pdf_filename(batch: PrintBatch) -> str:
    return f"brev-omgang-{batch.id}-utskick-{batch.send_id}.pdf"
