"""Municipalities chosen by their results in a year, as one SQL query (for audiences built from the index).

The rules follow the ranking module exactly: places are competition ranks (ties share a place, 1, 2, 2, 4),
"change" compares the place in the year with the place the year before (each among that year's municipalities),
the national average is the mean of all municipalities of the year, and a municipality's weakest area is the
sub-index furthest below (or least above) its own national average, ties going to the first in the index's
order — the same rule the talking points use. Comparisons are made on whole thousandths of a point, in
integers, so SQLite (which stores the values as floating point) and PostgreSQL agree to the last decimal.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import BigInteger, Select, and_, cast, func, or_, select

from ..formatting import counted
from ..status import LabelledEnum
from .models import SUB_INDEX_LABELS, SUB_INDICES, IndexResult


class ResultRuleKind(LabelledEnum):
    ROSE = ("rose", "har klättrat minst så många platser")
    FELL = ("fell", "har tappat minst så många platser")
    TOP = ("top", "finns bland de bästa (antal)")
    BOTTOM = ("bottom", "finns bland de sämsta (antal)")
    ABOVE_AVERAGE = ("above_average", "ligger över genomsnittet för alla kommuner")
    BELOW_AVERAGE = ("below_average", "ligger under genomsnittet för alla kommuner")
    WEAKEST = ("weakest", "har ett visst delindex som sitt svagaste område")


#: Kinds that need a number of places.
NEEDS_PLACES = frozenset({ResultRuleKind.ROSE, ResultRuleKind.FELL, ResultRuleKind.TOP, ResultRuleKind.BOTTOM})


class ResultRuleError(ValueError):
    """A rule that cannot be used; the message is Swedish and names the field."""


@dataclass(frozen=True)
class ResultRule:
    """Municipalities whose result in `year` meets one condition."""

    year: int
    kind: ResultRuleKind
    #: N for rose/fell (at least N places) and top/bottom (the N best or worst, shared places included).
    places: int | None = None
    #: The sub-index for WEAKEST ('information', 'bistandshandlaggning', …).
    sub_index: str | None = None

    def __post_init__(self):
        if not 2000 <= self.year <= 2100:
            raise ResultRuleError("Välj ett år med resultat.")
        if self.kind in NEEDS_PLACES and (self.places is None or not 1 <= self.places <= 290):
            raise ResultRuleError("Skriv ett antal platser mellan 1 och 290.")
        if self.kind is ResultRuleKind.WEAKEST and self.sub_index not in SUB_INDEX_LABELS:
            raise ResultRuleError("Välj vilket delindex som ska vara svagast.")

    @classmethod
    def from_dict(cls, data: dict | None) -> "ResultRule | None":
        if not data:
            return None
        return cls(int(data["year"]), ResultRuleKind(data["kind"]), data.get("places"), data.get("sub_index"))

    @property
    def years(self) -> tuple[int, ...]:
        """Return the years whose results the rule reads (a move compares with the year before too)."""
        if self.kind in (ResultRuleKind.ROSE, ResultRuleKind.FELL):
            return (self.year - 1, self.year)
        return (self.year,)

    def to_dict(self) -> dict:
        return {"year": self.year, "kind": self.kind.value, "places": self.places, "sub_index": self.sub_index}

    def describe(self) -> str:
        """Return the rule in Swedish: 'kommunen har tappat minst 20 platser i Hemtjänstindex 2025'."""
        what = {
            ResultRuleKind.ROSE: f"har klättrat minst {counted(self.places or 0, 'plats', 'platser')}",
            ResultRuleKind.FELL: f"har tappat minst {counted(self.places or 0, 'plats', 'platser')}",
            ResultRuleKind.TOP: f"finns bland de {self.places} bästa",
            ResultRuleKind.BOTTOM: f"finns bland de {self.places} sämsta",
            ResultRuleKind.ABOVE_AVERAGE: "ligger över genomsnittet för alla kommuner",
            ResultRuleKind.BELOW_AVERAGE: "ligger under genomsnittet för alla kommuner",
            ResultRuleKind.WEAKEST: f"har {SUB_INDEX_LABELS.get(self.sub_index or '', '').lower()} som svagaste område",
        }[self.kind]
        return f"kommunen {what} i Hemtjänstindex {self.year}"


def _milli(column):
    """Whole thousandths of a point as a big integer (exact on both databases)."""
    return cast(func.round(column * 1000), BigInteger)


def _year_rows(year: int):
    """One row per municipality of the year: code, places from the top and bottom, and exact sums."""
    index = _milli(IndexResult.index_value)
    columns = [
        IndexResult.municipality_code.label("code"),
        func.rank().over(order_by=IndexResult.index_value.desc()).label("place"),
        func.rank().over(order_by=IndexResult.index_value.asc()).label("place_from_bottom"),
        index.label("index_milli"),
        func.count().over().label("count_all"),
        func.sum(index).over().label("sum_all"),
    ]
    for name, _label in SUB_INDICES:
        value = _milli(getattr(IndexResult, name))
        columns += [value.label(f"{name}_milli"), func.count(getattr(IndexResult, name)).over().label(f"{name}_n"),
                    func.sum(value).over().label(f"{name}_sum")]
    return select(*columns).where(IndexResult.year == year).subquery(f"year_{year}")


def _weakest_condition(rows, chosen: str):
    names = [name for name, _label in SUB_INDICES]

    def key(name):
        # (value − mean) × every count: comparable between sub-indices, and exact.
        others = [getattr(rows.c, f"{other}_n") for other in names if other != name]
        product = others[0]
        for count in others[1:]:
            product = product * count
        return (getattr(rows.c, f"{name}_milli") * getattr(rows.c, f"{name}_n") - getattr(rows.c, f"{name}_sum")) \
            * product

    chosen_key = key(chosen)
    conditions = [getattr(rows.c, f"{chosen}_milli").is_not(None)]
    position = names.index(chosen)
    for index, other in enumerate(names):
        if other == chosen:
            continue
        beats = chosen_key < key(other) if index < position else chosen_key <= key(other)
        conditions.append(or_(getattr(rows.c, f"{other}_milli").is_(None), beats))
    return and_(*conditions)


def municipality_codes_query(rule: ResultRule) -> Select:
    """Return a SELECT of the codes of the municipalities the rule picks (for `IN (…)`)."""
    rows = _year_rows(rule.year)
    if rule.kind in (ResultRuleKind.ROSE, ResultRuleKind.FELL):
        before = _year_rows(rule.year - 1)
        moved = before.c.place - rows.c.place if rule.kind is ResultRuleKind.ROSE else rows.c.place - before.c.place
        return select(rows.c.code).join(before, before.c.code == rows.c.code).where(moved >= rule.places)
    condition = {
        ResultRuleKind.TOP: lambda: rows.c.place <= rule.places,
        ResultRuleKind.BOTTOM: lambda: rows.c.place_from_bottom <= rule.places,
        ResultRuleKind.ABOVE_AVERAGE: lambda: rows.c.index_milli * rows.c.count_all > rows.c.sum_all,
        ResultRuleKind.BELOW_AVERAGE: lambda: rows.c.index_milli * rows.c.count_all < rows.c.sum_all,
        ResultRuleKind.WEAKEST: lambda: _weakest_condition(rows, rule.sub_index),
    }[rule.kind]()
    return select(rows.c.code).where(condition)
