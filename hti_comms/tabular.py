"""Read CSV (as Excel writes it) and XLSX files into rows with their line numbers."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field


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
    #: What the columns were called in the file, by normalised name (for messages).
    original_names: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"


def normalise_header(name: str) -> str:
    """Return a column name folded for matching: 'Stöd och utveckling' -> 'stod_och_utveckling'."""
    folded = unicodedata.normalize("NFKD", (name or "").strip().casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "_".join(folded.replace("-", " ").replace("_", " ").split())


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in Windows-1252 unless told otherwise.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # repr gives the shortest exact form (62.3, not 62.29999…).
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def _build(header: list[str], body, encoding: str) -> Table:
    columns = [normalise_header(h) for h in header]
    table = Table(columns=columns, encoding=encoding)
    for original, name in zip(header, columns):
        if name:
            table.original_names.setdefault(name, (original or "").strip())
    for line, cells in body:
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        values = {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(columns) if name}
        table.rows.append(Row(line=line, values=values))
    return table


def read_csv(data: bytes) -> Table:
    """Read CSV with comma or semicolon, UTF-8 (with or without BOM) or Windows-1252."""
    text, encoding = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
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

    return _build(header, body(), encoding)


def read_xlsx(data: bytes) -> Table:
    """Read the first sheet of an XLSX workbook."""
    # openpyxl (with numpy and Pillow behind it) takes a tenth of a second to import; only imports need it.
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise TableError("Filen kan inte läsas som en Excel-fil (.xlsx).") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise TableError("Excel-filens första blad är tomt.")
        body = ((number, cells) for number, cells in enumerate(rows, start=2))
        return _build([_cell_text(h) for h in header], body, "xlsx")
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
