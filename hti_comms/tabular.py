"""Read CSV (as Excel writes it) and XLSX files into rows with their line numbers.

Every file the importers read comes through here, so these rules hold for contacts and results alike:
- CSV in UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", tab-separated) or Windows-1252; a file
  that mixes UTF-8 and Windows-1252 lines is refused with the lines named (guessing per line could garble
  names silently, and the fix, saving as "CSV UTF-8", is one click for staff);
- XLSX is read to the sheet's real extent, not the size it declares, and an archive that would inflate to
  more than MAX_XLSX_UNPACKED bytes is refused before anything is unpacked;
- no cell may hold a control character (hti_comms.inputs): the line and column are named.
"""
from __future__ import annotations

import codecs
import csv
import io
import logging
import unicodedata
import zipfile
from dataclasses import dataclass, field

from .inputs import BadInput, check_text, control_character

log = logging.getLogger(__name__)

#: Most bytes an XLSX file may unpack to. A 100,000-row contact sheet unpacks to about 30 MB; the largest
#: upload (20 MB) of ordinary spreadsheet XML stays well below this.
MAX_XLSX_UNPACKED = 200 * 1024 * 1024
#: Line numbers named in a message about mixed encodings.
NAMED_LINES = 5
_DELIMITERS = (";", ",", "\t")


class TableError(ValueError):
    """The file cannot be read as a table at all; the message is Swedish and shown to the user."""


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


def _line_list(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:NAMED_LINES])
    more = f" och {len(numbers) - NAMED_LINES} till" if len(numbers) > NAMED_LINES else ""
    return f"rad {shown}{more}" if len(numbers) == 1 else f"raderna {shown}{more}"


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" if the start of the file is plainly UTF-16 text without a BOM, else None."""
    sample = data[:4000]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _decode_utf16(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode(codec, errors="replace").count("\n") + 1
        raise TableError(f"Filen är sparad som {name}, men rad {line} går inte att läsa som det. Spara filen "
                         "igen som ”CSV UTF-8” och försök på nytt.") from None


def _decode(data: bytes) -> tuple[str, str]:
    """Return the file's text and the encoding it was read with, or raise TableError naming the problem."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(data, "utf-16", "UTF-16"), "utf-16"
    codec = _utf16_without_bom(data)
    if codec is not None:
        return _decode_utf16(data, codec, "UTF-16 (utan BOM)"), codec
    has_bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if has_bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if has_bom else "utf-8"
    except UnicodeDecodeError:
        pass
    utf8_lines, other_lines = [], []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines.append(number)
        else:
            utf8_lines.append(number)
    if utf8_lines or has_bom:
        raise TableError(
            f"Filen blandar teckenkodningar: {_line_list(other_lines)} är inte sparade som UTF-8 som resten av "
            "filen (troligen Windows-1252), så bokstäver som å, ä och ö skulle bli fel. Spara filen som "
            "”CSV UTF-8” i Excel och försök igen.")
    # Excel on Windows saves "CSV" in Windows-1252 unless told otherwise.
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line = body[:exc.start].count(b"\n") + 1
        raise TableError(f"Rad {line} innehåller tecken som varken är UTF-8 eller Windows-1252. Spara filen som "
                         "”CSV UTF-8” och försök igen.") from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr gives the shortest exact form (62.3, not 62.29999…).
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _build(header: list[str], body, encoding: str, *, header_line: int = 1, check_cells: bool = True) -> Table:
    columns = [normalise_header(h) for h in header]
    _refuse_control_characters(header_line, header, header)
    table = Table(columns=columns, encoding=encoding)
    for line, cells in body:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        if check_cells and control_character("\t".join(texts)) is not None:
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


def read_csv(data: bytes) -> Table:
    """Read CSV with comma, semicolon or tab in UTF-8 (with or without BOM), UTF-16 or Windows-1252."""
    text, encoding = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise TableError("Filen är tom.") from None
    except csv.Error as exc:
        raise TableError(f"Rad 1 kan inte läsas som CSV: {exc}.") from None

    def body():
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise TableError(f"Rad {reader.line_num} kan inte läsas som CSV: {exc}.") from None
            yield reader.line_num, cells

    # One scan of the whole text; only a file that has a control character is checked cell by cell.
    return _build(header, body(), encoding, check_cells=control_character(text) is not None)


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


def read_xlsx(data: bytes) -> Table:
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
        return _build([_cell_text(h) for h in header_row[1]], numbered, "xlsx", header_line=header_row[0])
    except TableError:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet can fail anywhere inside openpyxl or zipfile
        log.info("unreadable XLSX upload", exc_info=True)
        raise TableError("Filen kan inte läsas som en Excel-fil (.xlsx): den verkar vara skadad.") from None
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> Table:
    """Read an uploaded or given file as CSV or XLSX, chosen by its content."""
    if not data.strip():
        raise TableError("Filen är tom.")
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    if filename.lower().endswith(".xls"):
        raise TableError("Det gamla Excel-formatet .xls stöds inte. Spara filen som .xlsx eller CSV.")
    return read_csv(data)
