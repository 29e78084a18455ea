"""The one writer of the spreadsheets people download: CSV for Excel and XLSX, with formula escaping.

Every export goes through here (a test walks every route and reads back every CSV and XLSX answer), so these
rules hold for all of them:

- **Text is never a formula.** A cell that begins with =, +, -, @, a tab or a carriage return is a formula to
  Excel, LibreOffice and Google Sheets, and a value someone typed into a public form (an address such as
  `=cmd|'/ccalc'!a0@example.se`) would run on a staff member's computer (CSV or formula injection). In a CSV
  file such text gets a leading apostrophe (`'=cmd…`), as OWASP advises: Excel shows it and never runs it. In
  an XLSX file it is stored as a text cell, which no spreadsheet program evaluates, and marked with Excel's
  quote prefix, so it stays text when someone edits the cell; the reader sees exactly what was typed.
- **Figures stay numbers.** Numbers the product computed (int, Decimal, float, `Figure`) are written as
  numbers and never escaped: a change of −0,4 is `-0,4` in the CSV (a number for Swedish Excel, which sums and
  sorts it) and a number cell in the XLSX. A value we computed cannot carry a formula, and OWASP's advice is to
  escape the strings, not the numbers one writes oneself. So a figure must be passed as a number, never as text.
- CSV for Excel with Swedish settings: UTF-8 with a byte order mark (Excel needs it to read å, ä and ö),
  semicolons, CRLF, a decimal comma and no thousands separator.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask import Response

from .formatting import MINUS, format_number, format_signed

#: Werkzeug adds "; charset=utf-8" to a text type.
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: What makes a text cell a formula in a spreadsheet program (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Figure:
    """A computed number with how a CSV shows it: its decimals, and a plus sign on a change ("+1,5")."""

    value: Decimal | int | float | None
    decimals: int = 1
    signed: bool = False


Cell = str | int | float | Decimal | Figure | None


def is_formula_text(text: str) -> bool:
    """Return whether a spreadsheet program would read `text` as a formula."""
    return text.startswith(FORMULA_STARTS)


def escape_text(text: str) -> str:
    """Return `text` as a CSV cell that is never a formula: a leading apostrophe before a formula character."""
    return "'" + text if is_formula_text(text) else text


def _csv_number(value: Decimal | int | float, decimals: int = 1, signed: bool = False) -> str:
    if isinstance(value, int) and not signed:
        return str(value)
    text = format_signed(value, decimals) if signed else format_number(value, decimals)
    # Excel reads a plain minus and no thousands separator; Babel writes U+2212 and a (no-break) space.
    return text.replace(MINUS, "-").replace("\u00a0", "").replace(" ", "")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Figure):
        return "" if value.value is None else _csv_number(value.value, value.decimals, value.signed)
    if isinstance(value, bool):
        raise TypeError("write a yes/no as Swedish text, not as a bool")
    if isinstance(value, (int, float, Decimal)):
        return _csv_number(value)
    return escape_text(str(value))


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """Return a CSV file that Excel with Swedish settings opens as it is meant (see the module's rules)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_cell(name) for name in header])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value: Cell):
    if isinstance(value, Figure):
        value = value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        raise TypeError("write a yes/no as Swedish text, not as a bool")
    return value


def xlsx_document(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], *,
                  number_format: str = "0.0", freeze: str | None = None,
                  widths: dict[str, float] | None = None) -> bytes:
    """Return an XLSX workbook of one sheet: a bold header, text as text cells, figures as numbers.

    `number_format` is given to every decimal figure (whole numbers stay as they are); `freeze` is the first
    cell that scrolls ("D2" keeps the header and three columns in view); `widths` by column letter.
    """
    # openpyxl (with Pillow behind it) is slow to import; only a download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]  # Excel's limit
    for row_number, row in enumerate([header, *rows], start=1):
        for column_number, value in enumerate(row, start=1):
            value = _xlsx_value(value)
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store text beginning with "=" as a formula
                if is_formula_text(value):
                    cell.quotePrefix = True  # stays text when edited in Excel
            elif isinstance(value, float):
                cell.number_format = number_format
            if row_number == 1:
                cell.font = Font(bold=True)
    if freeze:
        sheet.freeze_panes = freeze
    for letter, width in (widths or {}).items():
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(data: bytes, filename: str, headers: dict[str, str] | None = None) -> Response:
    """Return `data` (made by csv_document or xlsx_document) as a download named `filename` (.csv or .xlsx)."""
    mimetype = {".csv": CSV_MIMETYPE, ".xlsx": XLSX_MIMETYPE}[filename[filename.rfind("."):]]
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})})
