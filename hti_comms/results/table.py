"""The ranking as staff browse it: search by name, filter by county, sort by any column, download as Excel."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..exports import xlsx_document
from .models import SUB_INDICES
from .ranking import RankedResult, YearRanking

ASCENDING, DESCENDING = "stigande", "fallande"


@dataclass(frozen=True)
class Column:
    """A sortable column: its key in the address (?sortera=…), its heading, and how it sorts."""

    key: str
    label: str
    value: Callable[[RankedResult], object]
    #: The order of the first click: the best first (high values, low places) or A–Ö.
    first_order: str

    @property
    def heading(self) -> str:
        """Return the label with a soft hyphen in the long word, so the column stays narrow."""
        return self.label.replace("Biståndshandläggning", "Bistånds\u00adhandläggning")

    @property
    def is_text(self) -> bool:
        return self.first_order == ASCENDING and self.key != "plats"


def _measure(name: str) -> Callable[[RankedResult], Decimal | None]:
    return lambda entry: entry.values[name]


COLUMNS: tuple[Column, ...] = (
    Column("plats", "Plats", lambda e: e.rank, ASCENDING),
    Column("kommun", "Kommun", lambda e: e.municipality_name.casefold(), ASCENDING),
    Column("index", "Index", _measure("index_value"), DESCENDING),
    *(Column(name, label, _measure(name), DESCENDING) for name, label in SUB_INDICES),
    Column("lan", "Län", lambda e: (e.county_name.casefold(), e.county_rank), ASCENDING),
    Column("forandring", "Förändring", lambda e: e.index_change, DESCENDING),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class TableView:
    """What the ranking page shows: the rows after search and filter, in the chosen order."""

    entries: list[RankedResult]
    search: str
    county_code: str
    sort: Column
    order: str

    @property
    def is_filtered(self) -> bool:
        return bool(self.search or self.county_code)

    def order_for(self, column: Column) -> str:
        """Return the order a click on `column` asks for: its first order, or the reverse when it is sorted."""
        if column.key != self.sort.key:
            return column.first_order
        return ASCENDING if self.order == DESCENDING else DESCENDING

    @property
    def order_text(self) -> str:
        """Return how the rows are ordered, in words ('högst först', 'A–Ö')."""
        if self.sort.is_text:
            return "A–Ö" if self.order == ASCENDING else "Ö–A"
        best_first = self.order == self.sort.first_order
        if self.sort.key == "plats":
            return "bäst först" if best_first else "sämst först"
        return "högst först" if best_first else "lägst först"

    def aria_sort(self, column: Column) -> str | None:
        if column.key != self.sort.key:
            return None
        return "ascending" if self.order == ASCENDING else "descending"


def view_arguments(args: Mapping[str, str]) -> tuple[str, str, Column, str]:
    """Return the page's query arguments (sok, lan, sortera, ordning) as search, county, column and order."""
    search = (args.get("sok") or "").strip()[:100]
    county_code = (args.get("lan") or "").strip()[:2]
    sort = COLUMNS_BY_KEY.get(args.get("sortera") or "", COLUMNS[0])
    order = args.get("ordning") if args.get("ordning") in (ASCENDING, DESCENDING) else sort.first_order
    return search, county_code, sort, order


def table_view(ranking: YearRanking, args: Mapping[str, str]) -> TableView:
    """Return the rows of `ranking` for the page's query arguments (sok, lan, sortera, ordning)."""
    search, county_code, sort, order = view_arguments(args)
    entries = [e for e in ranking.entries
               if (not search or search.casefold() in e.municipality_name.casefold())
               and (not county_code or e.county_code == county_code)]
    present = [e for e in entries if sort.value(e) is not None]
    missing = [e for e in entries if sort.value(e) is None]
    # Place breaks ties, so equal values keep the ranking's order; a missing value is always last.
    present.sort(key=lambda e: e.rank)
    present.sort(key=sort.value, reverse=order == DESCENDING)
    return TableView(present + missing, search, county_code, sort, order)


def counties(ranking: YearRanking) -> list[tuple[str, str]]:
    """Return (code, name) of the counties in the ranking, by name."""
    return sorted({(e.county_code, e.county_name) for e in ranking.entries}, key=lambda c: c[1])


def ranking_xlsx(ranking: YearRanking) -> bytes:
    """Return the whole ranking as an Excel workbook (hti_comms.exports): every figure a number, one row each."""
    header = ["Plats", "Kommunkod", "Kommun", "Index"]
    for _name, label in SUB_INDICES:
        header += [label, f"{label}, plats"]
    header += ["Län", "Plats i länet", "Kommuner i länet", f"Index {ranking.previous_year or 'föregående år'}",
               "Förändring (enheter)", "Förändring (placeringar)"]
    rows = []
    for e in ranking.entries:
        row = [e.rank, e.municipality_code, e.municipality_name, e.index]
        for name, _label in SUB_INDICES:
            row += [e.values[name], e.ranks[name]]
        row += [e.county_name, e.county_rank, e.county_count, e.previous_index, e.index_change, e.rank_change]
        rows.append(row)
    rows.append([None, None, "Riksgenomsnitt", ranking.national_average,
                 *[v for name, _label in SUB_INDICES for v in (ranking.national_averages[name], None)]])
    return xlsx_document(f"Rankning {ranking.year}", header, rows, number_format="0.0", freeze="D2",
                         widths={"A": 7, "B": 11, "C": 20})
