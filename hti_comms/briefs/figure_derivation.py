"""The figures of a year derived again from the stored rows, for the figure check (`briefs.figures`).

Written separately from `results.ranking` and the talking points (same inputs, its own arithmetic), so that a
mistake in either shows up as a disagreement instead of the same wrong number twice.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from ..extensions import db
from ..geo.models import County, Municipality
from ..results.models import SUB_INDICES, IndexResult, ResultSet

SUB_INDEX_NAMES = tuple(name for name, _label in SUB_INDICES)


@dataclass(frozen=True)
class Standing:
    """A place among `count` municipalities; `is_shared` when another has the same value."""

    rank: int
    count: int
    is_shared: bool


def standings(values: dict[str, Decimal]) -> dict[str, Standing]:
    """Return each municipality's place, higher is better: one more than those strictly above it."""
    ordered = sorted(values.values())  # ascending: those above a value are the ones after its last equal
    count = len(ordered)
    standing = {}
    for code, value in values.items():
        above = count - bisect_right(ordered, value)
        equal = bisect_right(ordered, value) - bisect_left(ordered, value)
        standing[code] = Standing(rank=1 + above, count=count, is_shared=equal > 1)
    return standing


def average(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) / len(present) if present else None


@dataclass
class MunicipalityFigures:
    code: str
    name: str
    county_name: str
    district_id: int | None
    index: Decimal | None = None
    place: Standing | None = None
    sub_values: dict[str, Decimal | None] = field(default_factory=dict)
    county_place: Standing | None = None
    county_average: Decimal | None = None
    previous_index: Decimal | None = None
    previous_place: Standing | None = None
    district_place: Standing | None = None


@dataclass
class YearFigures:
    """Every figure of a year derived from the stored rows, per municipality (also those without a result)."""

    year: int
    published_at: datetime | None
    national_average: Decimal | None
    sub_averages: dict[str, Decimal | None]
    municipalities: dict[str, MunicipalityFigures]
    ranked_count: int
    #: How many municipalities of each district have a result.
    district_counts: dict[int, int]
    #: Code -> the earlier years with a registered action plan of the municipality (`plan_figures`), as asked.
    plan_years: dict[str, frozenset[int]] = field(default_factory=dict)
    _earlier: dict[int, "YearFigures | None"] = field(default_factory=dict)

    def municipality(self, code: str) -> MunicipalityFigures:
        return self.municipalities[code]

    def earlier(self, year: int) -> "YearFigures | None":
        """Return the figures of an earlier year (for sentences about an earlier action plan), derived once."""
        if year not in self._earlier:
            self._earlier[year] = derive(year)
        return self._earlier[year]


def derive(year: int) -> YearFigures | None:
    """Return the figures of a year re-derived from `index_result`, or None when the year has no results."""
    result_set = db.session.get(ResultSet, year)
    if result_set is None:
        return None
    everyone = {row.code: MunicipalityFigures(row.code, row.short_name, row.county_name, row.district_id)
                for row in db.session.execute(
                    select(Municipality.code, Municipality.short_name, Municipality.district_id,
                           County.name.label("county_name")).join(County, Municipality.county_code == County.code))}
    columns = [IndexResult.municipality_code, IndexResult.index_value,
               *(getattr(IndexResult, name) for name in SUB_INDEX_NAMES)]
    rows = db.session.execute(select(*columns).where(IndexResult.year == year)).all()
    previous = dict(db.session.execute(select(IndexResult.municipality_code, IndexResult.index_value)
                                       .where(IndexResult.year == year - 1)).all())
    index = {row[0]: row[1] for row in rows}
    for row in rows:
        figures = everyone[row[0]]
        figures.index = row[1]
        figures.sub_values = dict(zip(SUB_INDEX_NAMES, row[2:]))
    for code, place in standings(index).items():
        everyone[code].place = place
    for code, place in standings(previous).items():
        everyone[code].previous_place = place
        everyone[code].previous_index = previous[code]
    by_county: dict[str, dict[str, Decimal]] = {}
    by_district: dict[int, dict[str, Decimal]] = {}
    for code, value in index.items():
        by_county.setdefault(everyone[code].county_name, {})[code] = value
        if everyone[code].district_id is not None:
            by_district.setdefault(everyone[code].district_id, {})[code] = value
    for members in by_county.values():
        county_average = average(members.values())
        for code, place in standings(members).items():
            everyone[code].county_place, everyone[code].county_average = place, county_average
    for members in by_district.values():
        for code, place in standings(members).items():
            everyone[code].district_place = place
    return YearFigures(
        year=year, published_at=result_set.published_at, national_average=average(index.values()),
        sub_averages={name: average(row[2 + i] for row in rows) for i, name in enumerate(SUB_INDEX_NAMES)},
        municipalities=everyone, ranked_count=len(index),
        district_counts={district: len(members) for district, members in by_district.items()},
    )

