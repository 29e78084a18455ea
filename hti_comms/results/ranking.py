"""Derived figures: ranks, averages and change since the previous year, computed from stored values."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Hashable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..geo.models import Municipality
from .models import MEASURES, IndexResult, ResultSet


def competition_ranks(values: Mapping[Hashable, Decimal | None]) -> dict[Hashable, int | None]:
    """Rank higher-is-better values 1, 2, 2, 4 (ties share a place); missing values get None."""
    present = sorted((v for v in values.values() if v is not None), reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(present, start=1):
        first_position.setdefault(value, position)
    return {key: (first_position[v] if v is not None else None) for key, v in values.items()}


def mean(values) -> Decimal | None:
    """Return the exact mean of the values that are present, or None if there are none."""
    present = [v for v in values if v is not None]
    if not present:
        return None
    return sum(present, Decimal(0)) / len(present)


@dataclass(frozen=True)
class RankedResult:
    municipality_code: str
    municipality_name: str
    county_code: str
    county_name: str
    district_id: int | None
    #: Measure name -> stored value ('index_value', 'information', …).
    values: Mapping[str, Decimal | None]
    #: Measure name -> place among the municipalities of the year (None when the value is missing).
    ranks: Mapping[str, int | None]
    county_rank: int
    county_count: int
    county_average: Decimal
    previous_index: Decimal | None = None
    previous_rank: int | None = None

    @property
    def index(self) -> Decimal:
        return self.values["index_value"]

    @property
    def rank(self) -> int:
        return self.ranks["index_value"]

    @property
    def index_change(self) -> Decimal | None:
        """Index points gained since the previous year (negative when it fell)."""
        return None if self.previous_index is None else self.index - self.previous_index

    @property
    def rank_change(self) -> int | None:
        """Places climbed since the previous year (positive = climbed, negative = fell)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class YearRanking:
    year: int
    is_demo: bool
    published_at: datetime | None
    entries: list[RankedResult]
    #: Measure name -> mean over the municipalities of the year that have a value.
    national_averages: dict[str, Decimal | None]
    county_averages: dict[str, Decimal]
    #: The year compared with for change figures (year − 1), or None when it has no results.
    previous_year: int | None = None
    previous_national_average: Decimal | None = None
    #: How many municipalities the previous year ranked (None when it has no results).
    previous_ranked_count: int | None = None
    _by_code: dict[str, RankedResult] = field(default_factory=dict, repr=False)
    #: Previous year's place -> how many municipalities held it (to say "delad plats" about last year too).
    _previous_place_counts: Counter = field(default_factory=Counter, repr=False)

    @property
    def national_average(self) -> Decimal:
        return self.national_averages["index_value"]

    @property
    def ranked_count(self) -> int:
        return len(self.entries)

    def entry(self, municipality_code: str) -> RankedResult | None:
        return self._by_code.get(municipality_code)

    def shares_rank(self, entry: RankedResult, measure: str = "index_value") -> bool:
        """Return True when another municipality has the same place for this measure."""
        place = entry.ranks[measure]
        return place is not None and sum(1 for e in self.entries if e.ranks[measure] == place) > 1

    def shares_county_rank(self, entry: RankedResult) -> bool:
        """Return True when another municipality of the same county has the same county place."""
        return sum(1 for e in self.entries
                   if e.county_code == entry.county_code and e.county_rank == entry.county_rank) > 1

    def shares_previous_rank(self, entry: RankedResult) -> bool:
        """Return True when the entry's place in the previous year was shared with another municipality."""
        return entry.previous_rank is not None and self._previous_place_counts[entry.previous_rank] > 1


def _load(year: int) -> tuple[ResultSet | None, list[IndexResult]]:
    result_set = db.session.get(ResultSet, year)
    if result_set is None:
        return None, []
    rows = db.session.scalars(
        select(IndexResult)
        .where(IndexResult.year == year)
        .options(joinedload(IndexResult.municipality).joinedload(Municipality.county))
    ).all()
    return result_set, list(rows)


def _plain_ranks(rows: list[IndexResult]) -> dict[str, int]:
    return competition_ranks({r.municipality_code: r.index_value for r in rows})


def compute_ranking(year: int) -> YearRanking | None:
    """Return the ranking of a year with every derived figure, or None when the year has no results."""
    result_set, rows = _load(year)
    if result_set is None:
        return None
    ranks_by_measure = {
        measure: competition_ranks({r.municipality_code: r.measure(measure) for r in rows})
        for measure, _label in MEASURES
    }
    national = {measure: mean(r.measure(measure) for r in rows) for measure, _label in MEASURES}

    by_county: dict[str, list[IndexResult]] = defaultdict(list)
    for row in rows:
        by_county[row.municipality.county_code].append(row)
    county_ranks = {code: _plain_ranks(members) for code, members in by_county.items()}
    county_averages = {code: mean(r.index_value for r in members) for code, members in by_county.items()}

    previous_set, previous_rows = _load(year - 1)
    previous_ranks = _plain_ranks(previous_rows)
    previous_values = {r.municipality_code: r.index_value for r in previous_rows}

    entries = []
    for row in rows:
        code = row.municipality_code
        county = row.municipality.county
        entries.append(
            RankedResult(
                municipality_code=code,
                municipality_name=row.municipality.short_name,
                county_code=county.code,
                county_name=county.name,
                district_id=row.municipality.district_id,
                values={measure: row.measure(measure) for measure, _label in MEASURES},
                ranks={measure: ranks[code] for measure, ranks in ranks_by_measure.items()},
                county_rank=county_ranks[county.code][code],
                county_count=len(by_county[county.code]),
                county_average=county_averages[county.code],
                previous_index=previous_values.get(code),
                previous_rank=previous_ranks.get(code),
            )
        )
    entries.sort(key=lambda e: (e.rank, e.municipality_name))
    ranking = YearRanking(
        year=year,
        is_demo=result_set.is_demo,
        published_at=result_set.published_at,
        entries=entries,
        national_averages=national,
        county_averages=county_averages,
        previous_year=(year - 1) if previous_set is not None else None,
        previous_national_average=mean(previous_values.values()) if previous_set is not None else None,
        previous_ranked_count=len(previous_rows) if previous_set is not None else None,
    )
    ranking._by_code = {e.municipality_code: e for e in entries}
    ranking._previous_place_counts = Counter(previous_ranks.values())
    return ranking


def available_years() -> list[int]:
    """Return the years that have results, newest first."""
    return list(db.session.scalars(select(ResultSet.year).order_by(ResultSet.year.desc())))
