"""The national summary of a year: top three, biggest movers, best per county, the national average."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..formatting import format_number
from ..results.ranking import RankedResult, YearRanking
from .talking_points import year_ranking
from .wording import IndexChange, join_names, json_number, place, places, units

TOP_PLACES = 3


@dataclass
class CountyBest:
    county_code: str
    county_name: str
    #: The municipalities at place 1 of the county (more than one when they share it).
    best: list[RankedResult]


@dataclass
class NationalSummary:
    ranking: YearRanking
    #: Everyone at places 1–3 (more than three when places are shared).
    top: list[RankedResult]
    #: Everyone who climbed the most places / fell the most places (empty without a previous year).
    climbers: list[RankedResult]
    fallers: list[RankedResult]
    best_per_county: list[CountyBest]

    @property
    def year(self) -> int:
        return self.ranking.year

    @property
    def national_average_change(self) -> Decimal | None:
        previous = self.ranking.previous_national_average
        return None if previous is None else self.ranking.national_average - previous

    def sentences(self) -> list[str]:
        """Return the summary as Swedish sentences, in reading order."""
        ranking = self.ranking
        lines = []
        if ranking.is_demo:
            lines.append(f"Obs! Siffrorna för {self.year} är demodata (syntetiska värden), inte riktiga resultat.")
        lines.append(self._average_sentence())
        top = join_names([f"{e.municipality_name} {format_number(e.index)} ({self._place(e)})" for e in self.top])
        lines.append(f"Topp tre {self.year}: {top}.")
        if ranking.previous_year is None:
            lines.append(f"Det finns inga resultat för {self.year - 1}, så ingen klättring eller inget tapp kan anges.")
        else:
            lines.append(self._mover_sentence(self.climbers, "Störst klättring", "klättrade"))
            lines.append(self._mover_sentence(self.fallers, "Störst tapp", "tappade"))
        for county in self.best_per_county:
            names = join_names([f"{e.municipality_name} ({format_number(e.index)}, {self._place(e)})"
                                for e in county.best])
            lines.append(f"Bäst i {county.county_name}: {names}.")
        return lines

    def _place(self, entry: RankedResult) -> str:
        return place(entry.rank, self.ranking.ranked_count, self.ranking.shares_rank(entry))

    def _average_sentence(self) -> str:
        ranking = self.ranking
        text = f"Genomsnittet för samtliga {ranking.ranked_count} kommuner {self.year} är {format_number(ranking.national_average)}"
        if ranking.previous_national_average is None:
            return text + "."
        change = IndexChange(ranking.national_average, ranking.previous_national_average)
        before = format_number(ranking.previous_national_average)
        if change.is_about_same:
            return text + f", i nivå med {ranking.previous_year} ({before})."
        verb = "en ökning" if change.amount > 0 else "en minskning"
        amount = abs(change.amount)
        return text + (f", {verb} med {format_number(amount)} {units(amount)} från {before} "
                       f"år {ranking.previous_year}.")

    def _mover_sentence(self, movers: list[RankedResult], title: str, verb: str) -> str:
        if not movers:
            return f"{title}: ingen kommun {verb} någon placering sedan {self.ranking.previous_year}."
        moves = join_names([f"{e.municipality_name} (från plats {e.previous_rank} till plats {e.rank})" for e in movers])
        return f"{title} sedan {self.ranking.previous_year}: {moves}, som {verb} {places(abs(movers[0].rank_change))}."

    def as_json(self) -> dict:
        """Return the summary in the shape the CLI promises."""
        def entry_json(e: RankedResult) -> dict:
            return {"code": e.municipality_code, "name": e.municipality_name, "index": json_number(e.index),
                    "rank": e.rank}

        def mover_json(movers: list[RankedResult]) -> dict | None:
            if not movers:
                return None
            first = movers[0]
            return {"code": first.municipality_code, "name": first.municipality_name,
                    "from_rank": first.previous_rank, "to_rank": first.rank, "places": abs(first.rank_change),
                    "shared_with": [{"code": e.municipality_code, "name": e.municipality_name} for e in movers[1:]]}

        return {
            "year": self.year,
            "is_demo": self.ranking.is_demo,
            "ranked_count": self.ranking.ranked_count,
            "national_average": json_number(self.ranking.national_average),
            "previous_national_average": json_number(self.ranking.previous_national_average),
            "national_average_change": json_number(self.national_average_change),
            "top": [entry_json(e) for e in self.top],
            "biggest_climber": mover_json(self.climbers),
            "biggest_faller": mover_json(self.fallers),
            "best_per_county": [{"county_code": c.county_code, "county_name": c.county_name,
                                 "best": [entry_json(e) for e in c.best]} for c in self.best_per_county],
            "sentences": self.sentences(),
        }


def _extremes(entries: list[RankedResult], sign: int) -> list[RankedResult]:
    moved = [e for e in entries if e.rank_change is not None and e.rank_change * sign > 0]
    if not moved:
        return []
    most = max(e.rank_change * sign for e in moved)
    return sorted((e for e in moved if e.rank_change * sign == most), key=lambda e: (e.rank, e.municipality_name))


def build_national_summary(year: int, ranking: YearRanking | None = None) -> NationalSummary:
    """Return the national summary of a year, or raise BriefError when the year has no results."""
    ranking = ranking or year_ranking(year)
    entries = ranking.entries  # already ordered by place, then name
    by_county: dict[str, CountyBest] = {}
    for e in entries:
        if e.county_rank == 1:
            by_county.setdefault(e.county_code, CountyBest(e.county_code, e.county_name, [])).best.append(e)
    return NationalSummary(
        ranking=ranking,
        top=[e for e in entries if e.rank <= TOP_PLACES],
        climbers=_extremes(entries, +1),
        fallers=_extremes(entries, -1),
        best_per_county=sorted(by_county.values(), key=lambda c: c.county_code),
    )
