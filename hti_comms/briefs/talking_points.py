"""Ready-made Swedish sentences about one municipality's result, correct to the decimal.

Every figure comes from `compute_ranking` (recomputed from the database) and every difference follows
the rounding rule documented in `wording`. Missing data is said as missing, never written around.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..formatting import format_number
from ..geo.models import Municipality
from ..geo.services import find_municipality
from ..results.models import SUB_INDICES
from ..results.ranking import RankedResult, YearRanking, compute_ranking
from ..action_plans.followup import plan_json
from .wording import QUESTIONS, IndexChange, difference, gap, json_number, lower_label, place, places


class BriefError(LookupError):
    """A Swedish message saying why no talking points can be made."""


@dataclass(frozen=True)
class Point:
    #: What the sentence is about: demo, index, trend, plan (an earlier action plan), sub_index, county, question,
    #: press, missing.
    kind: str
    text: str
    #: Which figure each number of the text states, in reading order ("index", "place", "sub_gap:utforande"):
    #: `figures.verify_points` re-derives each one and compares it with the number as written.
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubIndexFigure:
    name: str
    label: str
    value: Decimal | None
    national_average: Decimal | None

    @property
    def is_missing(self) -> bool:
        return self.value is None or self.national_average is None

    @property
    def difference(self) -> Decimal | None:
        return None if self.is_missing else self.value - self.national_average


@dataclass
class TalkingPoints:
    municipality: Municipality
    year: int
    ranking: YearRanking
    entry: RankedResult | None
    points: list[Point] = field(default_factory=list)
    #: The municipality's latest action plan of an earlier year (hti_comms.action_plans), or None.
    earlier_plan: Any = None

    @property
    def sub_indices(self) -> list[SubIndexFigure]:
        """Return the four sub-indices of the municipality next to the national average of each."""
        return [SubIndexFigure(name, label, self.entry.values[name] if self.entry else None,
                               self.ranking.national_averages[name]) for name, label in SUB_INDICES]

    def texts(self, *kinds: str) -> list[str]:
        return [p.text for p in self.points if not kinds or p.kind in kinds]

    def as_json(self) -> dict:
        """Return the figures and sentences in the shape the CLI promises."""
        entry = self.entry
        return {
            "municipality_code": self.municipality.code,
            "municipality_name": self.municipality.short_name,
            "year": self.year,
            "is_demo": self.ranking.is_demo,
            "index": json_number(entry.index) if entry else None,
            "rank": entry.rank if entry else None,
            "rank_is_shared": self.ranking.shares_rank(entry) if entry else None,
            "ranked_count": self.ranking.ranked_count,
            "national_average": json_number(self.ranking.national_average),
            "difference_from_national_average": (
                json_number(difference(entry.index, self.ranking.national_average)) if entry else None),
            "previous_year": self.ranking.previous_year,
            "previous_index": json_number(entry.previous_index) if entry else None,
            "previous_rank": entry.previous_rank if entry else None,
            "rank_change": entry.rank_change if entry else None,
            "county_name": entry.county_name if entry else None,
            "county_rank": entry.county_rank if entry else None,
            "county_count": entry.county_count if entry else None,
            "county_average": json_number(entry.county_average) if entry else None,
            "sub_indices": [{"name": f.name, "label": f.label, "value": json_number(f.value),
                             "national_average": json_number(f.national_average)} for f in self.sub_indices],
            "earlier_plan": plan_json(self.earlier_plan, self.entry.values) if self.earlier_plan and entry else None,
            "points": self.texts(),
        }


def resolve_municipality(code_or_name: str) -> Municipality:
    """Return the municipality named by code or name, or raise BriefError in Swedish."""
    municipality = find_municipality(code_or_name)
    if municipality is None:
        raise BriefError(f"Hittar ingen kommun som heter eller har koden ”{code_or_name}”.")
    return municipality


def year_ranking(year: int) -> YearRanking:
    """Return the ranking of a year, or raise BriefError when the year has no results."""
    ranking = compute_ranking(year)
    if ranking is None:
        raise BriefError(f"Det finns inga resultat för {year}.")
    return ranking


def build_talking_points(municipality: Municipality, year: int, ranking: YearRanking | None = None,
                         plans: Mapping | None = None) -> TalkingPoints:
    """Return the talking points of a municipality for a year (pass `ranking` to reuse one computation, and
    `plans`, `action_plans.followup.earlier_plans(year)`, to read the earlier action plans of all at once)."""
    ranking = ranking or year_ranking(year)
    entry = ranking.entry(municipality.code)
    result = TalkingPoints(municipality=municipality, year=year, ranking=ranking, entry=entry)
    add = result.points.append
    name = municipality.short_name
    if ranking.is_demo:
        add(Point("demo", f"Obs! Siffrorna för {year} är demodata (syntetiska värden), inte riktiga resultat "
                          "från Hemtjänstindex. Citera dem inte.", ("year",)))
    if entry is None:
        add(Point("missing", f"{name} har inget resultat i Hemtjänstindex {year}. Därför finns inga talpunkter "
                             "om kommunens index, placering eller delindex för det året.", ("year",)))
        return result

    add(Point("index", _index_sentence(name, entry, ranking), ("index", "year", "national_average", "gap", "place")))
    add(Point("trend", *_trend_sentence(name, entry, ranking)))
    plan_questions = _earlier_plan_points(result, plans)
    figures = result.sub_indices
    for figure in figures:
        if figure.is_missing:
            add(Point("missing", f"Uppgift saknas för delindexet {figure.label} {year}. Det ingår därför inte "
                                 "i jämförelsen av delindexen.", ("year",)))
    present = [f for f in figures if not f.is_missing]
    for text, claims in _sub_index_sentences(present):
        add(Point("sub_index", text, claims))
    add(Point("county", *_county_sentence(name, entry, ranking)))
    result.points.extend(plan_questions)
    for text in _questions(present):
        add(Point("question", text))
    add(Point("press", *_press_comment(name, entry, ranking, present)))
    return result


def _earlier_plan_points(result: TalkingPoints, plans: Mapping | None) -> list[Point]:
    """Add what the municipality planned after an earlier result and how the targeted areas moved ("plan"
    points); return the questions about areas that fell, for the questions' place."""
    from ..action_plans.followup import earlier_plans, followup_points

    code = result.municipality.code
    plan = (plans if plans is not None else earlier_plans(result.year, code)).get(code)
    if plan is None:
        return []
    result.earlier_plan = plan
    made = [Point(p.kind, p.text, p.claims)
            for p in followup_points(result.municipality.short_name, plan, result.entry.values)]
    result.points.extend(p for p in made if p.kind == "plan")
    return [p for p in made if p.kind == "question"]


def _index_sentence(name: str, entry: RankedResult, ranking: YearRanking) -> str:
    average = ranking.national_average
    shared = ranking.shares_rank(entry)
    return (f"{name} fick {format_number(entry.index)} i Hemtjänstindex {ranking.year}, jämfört med genomsnittet "
            f"{format_number(average)} för samtliga kommuner, alltså {gap(entry.index, average)}. Det ger "
            f"{place(entry.rank, ranking.ranked_count, shared)} i rankningen.")


def _trend_sentence(name: str, entry: RankedResult, ranking: YearRanking) -> tuple[str, tuple[str, ...]]:
    previous_year = ranking.previous_year
    if previous_year is None:
        return (f"Det finns inga resultat för {ranking.year - 1}, så {ranking.year} års resultat kan inte "
                "jämföras med året innan.", ("previous_year", "year"))
    if entry.previous_index is None:
        return (f"{name} saknar resultat för {previous_year}, så förändringen sedan dess kan inte anges.",
                ("previous_year",))
    change = IndexChange(entry.index, entry.previous_index)
    before, now = format_number(entry.previous_index), format_number(entry.index)
    if change.is_same:
        index_text = f"Indexet är {change.words()} sedan {previous_year}, {now}."
        claims = ("unchanged", "previous_year", "index")
    elif change.is_about_same:
        index_text = f"Indexet är {change.words()} sedan {previous_year}, {before} då och {now} nu."
        claims = ("change", "previous_year", "previous_index", "index")
    else:
        index_text = f"Sedan {previous_year} har indexet {change.words()}, från {before} till {now}."
        claims = ("previous_year", "change", "previous_index", "index")
    previous_place = place(entry.previous_rank, ranking.previous_ranked_count, ranking.shares_previous_rank(entry))
    current_place = place(entry.rank, ranking.ranked_count, ranking.shares_rank(entry))
    moved = entry.rank_change
    if moved > 0:
        rank_text = f"{name} har klättrat {places(moved)}, från {previous_place} till {current_place}."
        claims += ("move", "previous_place", "place")
    elif moved < 0:
        rank_text = f"{name} har tappat {places(-moved)}, från {previous_place} till {current_place}."
        claims += ("move", "previous_place", "place")
    else:
        rank_text = f"{name} har samma placering som {previous_year}: {current_place}."
        claims += ("move", "previous_year", "place")
    return f"{index_text} {rank_text}", claims


def _strongest_and_weakest(present: list[SubIndexFigure]) -> tuple[SubIndexFigure, SubIndexFigure]:
    # max/min keep the first of equal differences, so ties resolve in the index's own order.
    return max(present, key=lambda f: f.difference), min(present, key=lambda f: f.difference)


def _figure_text(figure: SubIndexFigure) -> str:
    return (f"{figure.label}: {format_number(figure.value)} mot genomsnittet {format_number(figure.national_average)}, "
            f"{gap(figure.value, figure.national_average)}")


def _figure_claims(figure: SubIndexFigure) -> tuple[str, ...]:
    return tuple(f"{kind}:{figure.name}" for kind in ("sub", "sub_average", "sub_gap"))


def _sub_index_sentences(present: list[SubIndexFigure]) -> list[tuple[str, tuple[str, ...]]]:
    if not present:
        return []
    if len(present) == 1:
        return [(f"Bara ett delindex har värde, {_figure_text(present[0])}.", _figure_claims(present[0]))]
    strongest, weakest = _strongest_and_weakest(present)
    if strongest.difference > 0:
        first = f"Starkast i förhållande till riksgenomsnittet är {_figure_text(strongest)}."
    else:
        first = (f"Alla delindex ligger under eller i nivå med riksgenomsnittet; närmast genomsnittet är "
                 f"{_figure_text(strongest)}.")
    if weakest.difference < 0:
        second = f"Svagast i förhållande till riksgenomsnittet är {_figure_text(weakest)}."
    else:
        second = (f"Alla delindex ligger över eller i nivå med riksgenomsnittet; minst marginal har "
                  f"{_figure_text(weakest)}.")
    return [(first, _figure_claims(strongest)), (second, _figure_claims(weakest))]


def _county_sentence(name: str, entry: RankedResult, ranking: YearRanking) -> tuple[str, tuple[str, ...]]:
    county = entry.county_name
    if entry.county_count == 1:
        return (f"{name} är den enda kommunen i {county} med resultat {ranking.year}, så länets genomsnitt är "
                f"kommunens eget index, {format_number(entry.county_average)}.", ("year", "county_average"))
    county_place = place(entry.county_rank, entry.county_count, ranking.shares_county_rank(entry))
    return (f"I {county} hamnar {name} på {county_place}. Länets genomsnitt är "
            f"{format_number(entry.county_average)}, och {name} ligger "
            f"{gap(entry.index, entry.county_average, 'länets genomsnitt')}.",
            ("county_place", "county_average", "county_gap"))


def weakest_areas(present: list[SubIndexFigure]) -> list[SubIndexFigure]:
    """Return the sub-indices below the national average, weakest first (or the relatively weakest one)."""
    below = sorted((f for f in present if f.difference < 0), key=lambda f: f.difference)
    if below:
        return below[:2]
    return [_strongest_and_weakest(present)[1]] if present else []


def _questions(present: list[SubIndexFigure]) -> list[str]:
    areas = weakest_areas(present)
    # Two questions about the weakest area and one about the next: three in all, or two for one area.
    chosen = [(areas[0], q) for q in QUESTIONS[areas[0].name][:2]] if areas else []
    if len(areas) > 1:
        chosen.append((areas[1], QUESTIONS[areas[1].name][0]))
    return [f"Fråga om {aspect} ({lower_label(figure.label)}): {question}" for figure, (aspect, question) in chosen]


def _press_comment(name: str, entry: RankedResult, ranking: YearRanking,
                   present: list[SubIndexFigure]) -> tuple[str, tuple[str, ...]]:
    shared = ranking.shares_rank(entry)
    parts = [f"Hemtjänsten i {name} får {format_number(entry.index)} i Hemtjänstindex {ranking.year}, "
             f"{gap(entry.index, ranking.national_average, 'genomsnittet för Sveriges kommuner')}, och hamnar på "
             f"{place(entry.rank, ranking.ranked_count, shared)}."]
    claims = ("index", "year", "gap", "place")
    if entry.rank_change:
        movement = "en klättring" if entry.rank_change > 0 else "ett tapp"
        parts.append(f"Det är {movement} med {places(abs(entry.rank_change))} sedan {ranking.previous_year}.")
        claims += ("move", "previous_year")
    areas = weakest_areas(present)
    if areas and areas[0].difference < 0:
        weakest = areas[0]
        parts.append(f"Nu vill vi se att kommunen tar tag i {lower_label(weakest.label)}, där {name} ligger "
                     f"{gap(weakest.value, weakest.national_average)}.")
        claims += (f"sub_gap:{weakest.name}",)
    # Written to be used as it is: the speaker adds their own name and role, nothing is left to fill in.
    return "Citat till pressen, att använda under ditt eget namn och uppdrag: ”" + " ".join(parts) + "”", claims
