"""Read CSV (as Excel writes it) and XLSX files into rows with their line numbers.

Every file the importers read comes through here, so these rules hold for contacts and results alike:
- CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", tab-separated) or Windows-1252, read as
  `hti_comms.csvtext` decodes it: a chunk at a time, row by row, mixed encodings refused with the lines named;
- a caller that knows how many rows a file can have passes `max_rows`: a file with more is refused at the first
  row too many, before the rest is read (a results file of 19 MB once took 800 MB);
- XLSX is read to the sheet's real extent, not the size it declares, and an archive that would inflate to
  more than MAX_XLSX_UNPACKED bytes is refused before anything is unpacked;
- no cell may hold a control character (hti_comms.inputs): the line and column are named.
"""
from __future__ import annotations

import csv
import io
import itertools
import logging
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .csvtext import TextError, TextLines, encoding_of
from .inputs import BadInput, check_text, control_character

log = logging.getLogger(__name__)

#: Most bytes an XLSX file may unpack to. A 100,000-row contact sheet unpacks to about 30 MB; the largest
#: upload (20 MB) of ordinary spreadsheet XML stays well below this.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
_DELIMITERS = (";", ",", "\t")


class TableError(ValueError):
    """The file cannot be read as a table at all; the message is Swedish and shown to the user."""


class TooManyRows(TableError):
    """The file has more rows with content than the caller said it can have; `line` is the first one too many."""

    def __init__(self, line: int, limit: int):
        super().__init__(f"Rad {line}: filen har fler än {limit} rader med innehåll, fler än en sådan fil kan ha. "
                         "Kontrollera att det är rätt fil.")
        self.line = line
        self.limit = limit


@dataclass
class Row:
    #: Line in the CSV file (the header is line 1) or row number in the sheet.
    line: int
    values: dict[str, str]


@dataclass
class Table:
    #: Normalised column names in file order.
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    #: How the file was read: "utf-8", "utf-8-sig", "utf-16", "cp1252" or "xlsx".
    encoding: str = "utf-8"


def normalise_header(name: str) -> str:
    """Return a column name folded for matching: 'Stöd och utveckling' -> 'stod_och_utveckling'."""
    folded = unicodedata.normalize("NFKD", (name or "").strip().casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "_".join(folded.replace("-", " ").replace("_", " ").split())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr gives the shortest exact form (62.3, not 62.29999…).
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _build(header: list[str], body: Iterable[tuple[int, list]], encoding: str, *, header_line: int = 1,
           check_cells: Callable[[], bool] = lambda: True, max_rows: int | None = None) -> Table:
    """Return the table of `body`'s rows; `check_cells()` says whether cells may hold a control character."""
    columns = [normalise_header(h) for h in header]
    _refuse_control_characters(header_line, header, header)
    table = Table(columns=columns, encoding=encoding)
    for line, cells in body:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if max_rows is not None and len(table.rows) >= max_rows:
            raise TooManyRows(line, max_rows)
        if check_cells() and control_character("\t".join(texts)) is not None:
            _refuse_control_characters(line, texts, header)
        values = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(columns) if name}
        table.rows.append(Row(line=line, values=values))
    return table


def _refuse_control_characters(line: int, texts: list[str], header: list[str]) -> None:
    for position, text in enumerate(texts):
        column = (header[position] or "").strip() if position < len(header) else ""
        where = f"Rad {line}, kolumn ”{column}”: cellen" if column and line != 1 else f"Rad {line}: en cell"
        try:
            check_text(text or "", where)
        except BadInput as exc:
            raise TableError(str(exc)) from None


def read_csv(data: bytes, *, max_rows: int | None = None) -> Table:
    """Read CSV with comma, semicolon or tab in UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    try:
        codec, encoding, start = encoding_of(data)
    except TextError as exc:
        raise TableError(str(exc)) from None
    lines = TextLines(data, codec, start)
    remaining = iter(lines)
    try:
        first_line = next(remaining, None)
    except TextError as exc:
        raise TableError(str(exc)) from None
    if first_line is None:
        raise TableError("Filen är tom.")
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(itertools.chain([first_line], remaining), delimiter=delimiter)

    def rows():
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(f"Rad {reader.line_num} kan inte läsas som CSV: {exc}.") from None
            except TextError as exc:
                raise TableError(str(exc)) from None
            yield reader.line_num, cells

    body = rows()
    header = next(body, None)
    if header is None:
        raise TableError("Filen är tom.")
    # Only a file with a control character somewhere is checked cell by cell.
    return _build(header[1], body, encoding, check_cells=lambda: lines.has_control_character, max_rows=max_rows)


def _check_archive(data: bytes) -> None:
    """Refuse an XLSX archive that would unpack to more than MAX_XLSX_UNPACKED, before unpacking anything.

    The sizes come from the archive's directory; zipfile never inflates a member past its declared size (it
    stops there and the checksum fails), so a lie about them cannot get past this either.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableError("Filen kan inte läsas som en Excel-fil (.xlsx).") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise TableError(
            f"Excel-filen packas upp till {unpacked // (1024 * 1024)} MB, mer än de "
            f"{MAX_XLSX_UNPACKED // (1024 * 1024)} MB en fil med kontakter eller resultat kan behöva. Den är "
            "troligen skadad. Spara bladet som CSV, eller dela upp filen, och försök igen.")


def read_xlsx(data: bytes, *, max_rows: int | None = None) -> Table:
    """Read the first sheet of an XLSX workbook, every row and column it really has."""
    _check_archive(data)
    # openpyxl (with numpy and Pillow behind it) takes a tenth of a second to import; only imports need it.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a broken upload can fail anywhere inside openpyxl
        raise TableError("Filen kan inte läsas som en Excel-fil (.xlsx).") from None
    try:
        if not workbook.worksheets:
            raise TableError("Excel-filen har inga blad.")
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the size the sheet declares; programs that write it wrong would lose rows.
        sheet.reset_dimensions()
        numbered = (
            (number, cells)
            for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1))
        header_row = next(((n, cells) for n, cells in numbered if any(_cell_text(c) for c in cells)), None)
        if header_row is None:
            raise TableError("Excel-filens första blad är tomt.")
        return _build([_cell_text(h) for h in header_row[1]], numbered, "xlsx", header_line=header_row[0],
                      max_rows=max_rows)
    except TableError:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet can fail anywhere inside openpyxl or zipfile
        log.info("unreadable XLSX upload", exc_info=True)
        raise TableError("Filen kan inte läsas som en Excel-fil (.xlsx): den verkar vara skadad.") from None
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, *, max_rows: int | None = None) -> Table:
    """Read an uploaded or given file as CSV or XLSX, chosen by its content.

    With `max_rows`, a file with more rows with content is refused (TooManyRows) as soon as reading reaches the
    first row too many.
    """
    if not data or data.isspace():  # (not data.strip(): that copies the whole file)
        raise TableError("Filen är tom.")
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data, max_rows=max_rows)
    if filename.lower().endswith(".xls"):
        raise TableError("Det gamla Excel-formatet .xls stöds inte. Spara filen som .xlsx eller CSV.")
    return read_csv(data, max_rows=max_rows)
