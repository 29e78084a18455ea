"""Parse and check a results file; nothing here touches the database's contents."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..formatting import format_number
from ..geo.models import Municipality
from ..geo.services import MunicipalityIndex, parse_municipality_code
from ..tabular import Table, TableError, TooManyRows, read_table
from .models import SUB_INDICES

CODE_COLUMN = "kommunkod"
NAME_COLUMN = "kommun"
#: Column in the file -> (attribute, label used in messages).
VALUE_COLUMNS = {"index": ("index_value", "index")} | {name: (name, name) for name, _label in SUB_INDICES}
REQUIRED_COLUMNS = (CODE_COLUMN, *VALUE_COLUMNS)
MAX_DECIMALS = 3
#: Rows a results file is read to, per municipality: room for a block pasted twice or stray lines, which are then
#: reported line by line; a file with more rows than that is refused at the first one, before the rest is read.
MAX_ROWS_PER_MUNICIPALITY = 2


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported, in Swedish, pointing at its place in the file."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"Rad {self.line}")
        if self.column is not None:
            where.append(f"kolumn ”{self.column}”")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ParsedRow:
    line: int
    municipality_code: str
    values: dict[str, Decimal | None]


@dataclass
class ParsedFile:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Things worth knowing that do not stop the import (missing municipalities, empty sub-indices).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def parse_score(text: str) -> Decimal:
    """Return a 0–100 score from '62,3', '62.3' or ' 62 ', or raise ValueError with a Swedish reason."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"”{text}” är inte ett tal") from None
    if not value.is_finite():
        raise ValueError(f"”{text}” är inte ett tal")
    if value < 0 or value > 100:
        raise ValueError(f"{_as_written(text, value)} ligger utanför 0–100")
    if -value.as_tuple().exponent > MAX_DECIMALS:
        raise ValueError(f"”{text}” har fler än {MAX_DECIMALS} decimaler")
    return value


def _as_written(text: str, value: Decimal) -> str:
    """Return an out-of-range value as a reader writes it ("101,0"), or as typed when it is too long for that
    ("1e27" would need 29 digits; rounding it is an error in itself)."""
    decimals = -value.as_tuple().exponent
    if abs(value) < 1_000_000 and 0 <= decimals <= MAX_DECIMALS:
        return format_number(value, max(1, decimals))
    return f"”{text.strip()}”"


def check_table(table: Table, municipalities: dict[str, Municipality]) -> ParsedFile:
    """Check every row of a results table against the reference data."""
    parsed = ParsedFile()
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        names = ", ".join(f"”{c}”" for c in missing)
        parsed.problems.append(Problem(1, None, f"rubrikraden saknar kolumnen {names}. "
                                                f"Kolumnerna ska heta: {', '.join(REQUIRED_COLUMNS)} (och valfritt kommun)."))
        return parsed
    if not table.rows:
        parsed.problems.append(Problem(None, None, "Filen innehåller inga rader med resultat."))
        return parsed

    seen: dict[str, int] = {}
    empty_sub_indices = 0
    for row in table.rows:
        row_problems: list[Problem] = []
        raw_code = row.values.get(CODE_COLUMN, "")
        code = parse_municipality_code(raw_code)
        municipality = municipalities.get(code) if code else None
        if not raw_code:
            row_problems.append(Problem(row.line, CODE_COLUMN, "kommunkod saknas"))
        elif code is None:
            row_problems.append(Problem(row.line, CODE_COLUMN, f"”{raw_code}” är ingen kommunkod (fyra siffror, t.ex. 0114)"))
        elif municipality is None:
            row_problems.append(Problem(row.line, CODE_COLUMN, f"kommunkod {code} finns inte bland Sveriges 290 kommuner"))
        elif code in seen:
            row_problems.append(Problem(row.line, CODE_COLUMN,
                                        f"{municipality.short_name} ({code}) finns redan på rad {seen[code]}"))
        else:
            seen[code] = row.line

        given_name = row.values.get(NAME_COLUMN, "").strip()
        if municipality is not None and given_name and not MunicipalityIndex.is_named(municipality, given_name):
            row_problems.append(Problem(row.line, NAME_COLUMN,
                                        f"”{given_name}” stämmer inte med kommunkod {code} ({municipality.short_name})"))

        values: dict[str, Decimal | None] = {}
        for column, (attribute, label) in VALUE_COLUMNS.items():
            text = row.values.get(column, "").strip()
            if not text:
                if attribute == "index_value":
                    row_problems.append(Problem(row.line, column, "värde saknas (index måste anges)"))
                else:
                    values[attribute] = None
                    empty_sub_indices += 1
                continue
            try:
                values[attribute] = parse_score(text)
            except ValueError as exc:
                row_problems.append(Problem(row.line, column, str(exc)))

        if row_problems:
            parsed.problems.extend(row_problems)
        else:
            parsed.rows.append(ParsedRow(row.line, code, values))

    if not parsed.problems:
        absent = sorted(set(municipalities) - set(seen))
        if absent:
            listed = ", ".join(municipalities[c].short_name for c in absent[:10])
            more = " med flera" if len(absent) > 10 else ""
            parsed.notes.append(
                f"Filen har resultat för {len(seen)} av {len(municipalities)} kommuner. "
                f"{len(absent)} saknas: {listed}{more}."
            )
        if empty_sub_indices:
            parsed.notes.append(f"{empty_sub_indices} delindexvärden är tomma och sparas som saknade.")
    return parsed


def parse_results_file(data: bytes, filename: str, municipalities: dict[str, Municipality]) -> ParsedFile:
    """Read and check a CSV or XLSX results file."""
    limit = MAX_ROWS_PER_MUNICIPALITY * len(municipalities)
    try:
        table = read_table(data, filename, max_rows=limit)
    except TooManyRows as exc:
        return ParsedFile(problems=[Problem(exc.line, None, (
            f"en resultatfil har en rad per kommun, högst {len(municipalities)}, men den här har fler än {limit} "
            "rader med innehåll. Kontrollera att det är rätt fil."))])
    except TableError as exc:
        return ParsedFile(problems=[Problem(None, None, str(exc))])
    return check_table(table, municipalities)

