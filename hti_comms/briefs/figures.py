"""Figures that check themselves: every number in a text with results is re-derived and compared.

Before a brief, a digest, a PDF, an embargoed summary or a public page leaves the system, each number its
sentences state is compared with the same figure derived here, again, from the stored rows. The derivation
is written separately from `results.ranking` and the talking points (same inputs, its own arithmetic), so a
mistake in either — or a template that prints the wrong field — shows up as a disagreement, not as the same
wrong number twice.

Two strengths of check:
- A sentence made by the talking points carries its *claims*: for each number, in order, which figure it is
  (`Point.claims`, e.g. ("index", "year", "national_average", "gap", "place")). Each number is compared with
  that very figure: "plats 12" where the municipality is 13th is caught even if another municipality is 12th.
- Any other text (a rendered email, a PDF, a public page) is read sentence by sentence; each number must be a
  figure that sentence may state, judged by its wording ("plats N av M" is a place, "N enheter under
  länets genomsnitt" the gap to the county average, a sub-index name makes its values the ones allowed).
  Years must be the year or the year before; a date and time must be the publication moment; digits in no
  known phrase are refused, never skipped.

Rounding is the one of `wording`: differences from exact values, half up to one decimal; a figure written
with another number of decimals is refused too.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from ..clock import to_stockholm
from ..extensions import db
from ..formatting import format_number, format_signed, round_half_up
from ..geo.models import County, Municipality
from ..results.models import SUB_INDICES, IndexResult, ResultSet
from . import figure_reading as read
from .figure_reading import ReadFigure, html_text, read_figures, sentences
from .plan_figures import expected_plan, is_plan_claim, plan_claims, plan_year_of, says_since

SUB_INDEX_NAMES = tuple(name for name, _label in SUB_INDICES)
_LIST_NUMBER = re.compile(r"^\s*(\d+)\.\s")


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


# --- what a figure should say -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """A figure as the results give it: the kind of phrase it is written in and its exact value."""

    kind: str
    value: object
    #: For a change: whether the two indices are about the same (the change rounds to 0,0, or both are written
    #: alike at one decimal), so that "i stort sett oförändrat" may say it.
    about_same: bool = False

    def describe(self) -> str:
        """Return the figure in the words our sentences use ('plats 13 av 290', '3,4 enheter under')."""
        if self.kind == read.PLACE:
            rank, count, shared = self.value
            return f"{'delad plats' if shared else 'plats'} {rank} av {count}"
        if self.kind == read.GAP:
            rounded = round_half_up(self.value, 1)
            if rounded == 0:
                return "i nivå med"
            return f"{format_number(abs(rounded))} enheter {'över' if rounded > 0 else 'under'}"
        if self.kind == read.CHANGE:
            return f"{format_signed(self.value)} enheter"
        if self.kind == read.UNCHANGED:
            return "oförändrat" if self.value == 0 else f"{format_signed(self.value)} enheter"
        if self.kind == read.MOVE:
            moved = self.value
            return "samma placering" if moved == 0 else f"{'upp' if moved > 0 else 'ned'} {abs(moved)} placeringar"
        if self.kind == read.VALUE:
            return format_number(self.value)
        if self.kind == read.COUNT:
            return f"{self.value[0]} {self.value[1]} kommuner"
        if self.kind == read.MOMENT:
            return "ingen publiceringstid" if self.value is None else _moment_text(self.value)
        return str(self.value)


def _moment_text(moment: datetime) -> str:
    from ..formatting import format_datetime
    return format_datetime(moment)


class UnknownClaim(ValueError):
    """A sentence names a figure this module does not know: a programming error, not bad data."""


def expected(claim: str, year: YearFigures, figures: MunicipalityFigures | None) -> Expected | None:
    """Return the figure a claim names, re-derived; None when the results have no such figure."""
    if is_plan_claim(claim):
        return expected_plan(claim, year, figures)
    if claim == "year":
        return Expected(read.YEAR, year.year)
    if claim == "previous_year":
        return Expected(read.YEAR, year.year - 1)
    if claim == "ranked_count":
        return Expected(read.COUNT, ("samtliga", year.ranked_count))
    if claim == "national_average":
        return _value(year.national_average)
    if claim == "publication":
        return Expected(read.MOMENT, year.published_at)
    if figures is None:
        raise UnknownClaim(f"the claim {claim!r} needs a municipality")
    if claim == "district_count":
        return Expected(read.COUNT, ("distriktets", year.district_counts.get(figures.district_id, 0)))
    kind, _, sub_index = claim.partition(":")
    if sub_index:
        if sub_index not in SUB_INDEX_NAMES:
            raise UnknownClaim(f"no sub-index {sub_index!r}")
        value, mean = figures.sub_values.get(sub_index), year.sub_averages[sub_index]
        if kind == "sub":
            return _value(value)
        if kind == "sub_average":
            return _value(mean)
        if kind == "sub_gap":
            return _difference(read.GAP, value, mean)
        raise UnknownClaim(f"unknown claim {claim!r}")
    if claim == "index":
        return _value(figures.index)
    if claim == "gap":
        return _difference(read.GAP, figures.index, year.national_average)
    if claim == "place":
        return _place(figures.place)
    if claim == "previous_index":
        return _value(figures.previous_index)
    if claim == "previous_place":
        return _place(figures.previous_place)
    if claim == "change":
        return _change(read.CHANGE, figures.index, figures.previous_index)
    if claim == "unchanged":
        return _change(read.UNCHANGED, figures.index, figures.previous_index)
    if claim == "move":
        if figures.place is None or figures.previous_place is None:
            return None
        return Expected(read.MOVE, figures.previous_place.rank - figures.place.rank)
    if claim == "county_place":
        return _place(figures.county_place)
    if claim == "county_average":
        return _value(figures.county_average)
    if claim == "county_gap":
        return _difference(read.GAP, figures.index, figures.county_average)
    if claim == "district_place":
        return _place(figures.district_place)
    raise UnknownClaim(f"unknown claim {claim!r}")


def _value(value: Decimal | None) -> Expected | None:
    return None if value is None else Expected(read.VALUE, value)


def _difference(kind: str, value: Decimal | None, reference: Decimal | None) -> Expected | None:
    return None if value is None or reference is None else Expected(kind, value - reference)


def _change(kind: str, value: Decimal | None, previous: Decimal | None) -> Expected | None:
    if value is None or previous is None:
        return None
    about_same = round_half_up(value - previous, 1) == 0 or round_half_up(value, 1) == round_half_up(previous, 1)
    return Expected(kind, value - previous, about_same)


def _place(standing: Standing | None) -> Expected | None:
    return None if standing is None else Expected(read.PLACE, (standing.rank, standing.count, standing.is_shared))


def agrees(figure: ReadFigure, want: Expected | None) -> bool:
    """Return whether a number as written states the expected figure, by the rounding and format rules."""
    if want is None:
        return False
    if figure.kind == read.ALMOST:
        # "i stort sett oförändrat": a change that rounds to 0,0, or between two indices written alike.
        return want.kind in (read.UNCHANGED, read.CHANGE) and want.about_same
    if figure.kind == read.UNCHANGED:
        # "oförändrat" claims the very same index.
        return want.kind in (read.UNCHANGED, read.CHANGE) and want.value == 0
    if figure.kind != want.kind and not (figure.kind == read.CHANGE and want.kind == read.UNCHANGED):
        return False
    if figure.kind in (read.VALUE, read.GAP, read.CHANGE):
        return figure.decimals == 1 and figure.value == round_half_up(want.value, 1)
    if figure.kind == read.MOMENT:
        return want.value is not None and _same_moment(figure.value, want.value)
    return figure.value == want.value


def _same_moment(written: tuple, moment: datetime) -> bool:
    weekday, day, month, year, hour, minute = written
    local = to_stockholm(moment)
    return (weekday == read.WEEKDAYS[local.weekday()] and (day, month, hour, minute)
            == (local.day, local.month, local.hour, local.minute) and year in (None, local.year))


# --- checking texts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One number that does not agree with the results, said in Swedish for staff."""

    sentence: str
    stated: str
    #: What the results give, in the same words; None when the number is no figure the sentence may state.
    expected: str | None

    @property
    def message(self) -> str:
        sentence = _shorten(self.sentence)
        if self.stated == "":
            return f"Meningen ”{sentence}” saknar ett tal den ska ange: resultaten ger {self.expected}."
        if self.expected is None:
            return (f"Meningen ”{sentence}” säger ”{self.stated}”, men det talet går inte att kontrollera mot "
                    "resultaten.")
        return f"Meningen ”{sentence}” säger ”{self.stated}”, men resultaten ger ”{self.expected}”."


def _shorten(sentence: str, limit: int = 220) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[:limit - 1].rstrip() + "…"


class FigureMismatch(ValueError):
    """Figures in a text disagree with the stored results; the text must not leave the system."""

    def __init__(self, mismatches: list[Mismatch]):
        self.mismatches = list(mismatches)
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        count = len(self.mismatches)
        head = ("En siffra stämmer inte med resultaten" if count == 1
                else f"{count} siffror stämmer inte med resultaten")
        return f"{head}: " + " ".join(m.message for m in self.mismatches[:5]) + (" …" if count > 5 else "")


def year_figures(year: int) -> YearFigures:
    figures = derive(year)
    if figures is None:
        raise FigureMismatch([Mismatch(f"Resultat för {year}", str(year), None)])
    return figures


def verify_claims(text: str, claims: Iterable[str], year: YearFigures,
                  figures: MunicipalityFigures | None) -> list[Mismatch]:
    """Return the numbers of a generated sentence that differ from the figures its claims name, in order."""
    stated, claims = read_figures(text), list(claims)
    mismatches = []
    for position in range(max(len(stated), len(claims))):
        figure = stated[position] if position < len(stated) else None
        want = expected(claims[position], year, figures) if position < len(claims) else None
        if figure is None:
            mismatches.append(Mismatch(text, "", want.describe() if want else "ett tal"))
        elif position >= len(claims):
            mismatches.append(Mismatch(text, figure.text, None))
        elif not agrees(figure, want):
            mismatches.append(Mismatch(text, figure.text, want.describe() if want else "uppgift saknas"))
    return mismatches


def verify_points(points, year: YearFigures | None = None) -> list[Mismatch]:
    """Return every disagreement in talking points (anything with `.year`, `.municipality.code`, `.points`)."""
    year = year or year_figures(points.year)
    figures = year.municipalities.get(points.municipality.code)
    return [m for point in points.points for m in verify_claims(point.text, point.claims, year, figures)]


#: What a number in a sentence about one municipality may be, beside the year's own figures.
_MUNICIPALITY_CLAIMS = ("place", "county_place", "previous_place", "change", "unchanged", "move")


def verify_text(text: str, year: int | YearFigures, municipality_code: str | None = None, *,
                district_id: int | None = None, memo: dict | None = None) -> list[Mismatch]:
    """Return every number of a text (plain or HTML) that is not a figure its sentence may state.

    With `municipality_code` every sentence is about that municipality; with `district_id` a line is about
    the district's municipalities it names (a line naming none may state only the year's national figures).
    `memo` keeps each sentence's verdict for the next text of the same message (its HTML and text parts say
    the same sentences): pass one dict for the texts of one message, checked against the same figures.
    """
    memo = {} if memo is None else memo
    figures = year if isinstance(year, YearFigures) else year_figures(year)
    if _looks_like_html(text):
        text = html_text(text)
    if municipality_code is not None:
        fixed = [figures.municipality(municipality_code)]
    members = [m for m in figures.municipalities.values() if district_id is not None and m.district_id == district_id]
    mismatches: list[Mismatch] = []
    list_number = 0
    for line in text.splitlines():
        numbered = _LIST_NUMBER.match(line)
        if numbered:
            list_number = list_number + 1 if int(numbered.group(1)) != 1 else 1
            if int(numbered.group(1)) != list_number:
                mismatches.append(Mismatch(line, numbered.group(1), str(list_number)))
            line = line[numbered.end():]
        subjects = fixed if municipality_code is not None else _named(line, members)
        plan_year = None  # set by "Inför 2025 planerade …" for the "sedan dess" sentences after it
        for sentence in sentences(line):
            planned = plan_year_of(sentence)
            plan_year = planned if planned is not None else plan_year
            context = plan_year if planned is not None or says_since(sentence) else None
            key = (sentence, tuple(id(subject) for subject in subjects), context)
            if key not in memo:
                memo[key] = _verify_sentence(sentence, figures, subjects, members, district_id is not None, context)
            mismatches.extend(memo[key])
    return mismatches


def _verify_sentence(sentence: str, figures: YearFigures, subjects: list[MunicipalityFigures],
                     members: list[MunicipalityFigures], in_district: bool,
                     plan_year: int | None = None) -> list[Mismatch]:
    """Return the numbers of one sentence that are no figure it may state about its subjects (and, after "Inför
    N planerade", about the plan of N − 1)."""
    stated = read_figures(sentence)
    if not stated:
        return []
    claims = _allowed_claims(sentence.lower(), subjects, in_district=in_district)
    claims += [(claim, subject) for subject in subjects for claim in plan_claims(sentence, plan_year)]
    if members:  # any member knows the district: "distriktets 5 kommuner" needs no municipality named
        claims.append(("district_count", members[0]))
    wanted = [expected(claim, figures, subject) for claim, subject in claims]
    return [Mismatch(sentence, figure.text, _closest(figure, wanted))
            for figure in stated if not any(agrees(figure, want) for want in wanted)]


def _looks_like_html(text: str) -> bool:
    return re.search(r"</?[a-zA-Z][^>]*>", text) is not None


def _named(line: str, members: list[MunicipalityFigures]) -> list[MunicipalityFigures]:
    named = [m for m in members if re.search(rf"(?<!\w){re.escape(m.name)}(?!\w)", line)]
    # "Upplands Väsby" names Upplands Väsby, not also a municipality called "Väsby" inside it.
    return [m for m in named if not any(m is not other and m.name in other.name for other in named)]


def _allowed_claims(sentence: str, subjects: list[MunicipalityFigures],
                    *, in_district: bool) -> list[tuple[str, MunicipalityFigures | None]]:
    labels = [name for name, label in SUB_INDICES if label.lower() in sentence]
    about_county = "läne" in sentence
    claims: list[tuple[str, MunicipalityFigures | None]] = [
        (claim, None) for claim in ("year", "previous_year", "ranked_count", "publication")]
    if not labels:
        claims.append(("national_average", None))
    for subject in subjects:
        names = list(_MUNICIPALITY_CLAIMS) + (["district_place"] if in_district else [])
        if labels:
            names += [f"{kind}:{label}" for label in labels for kind in ("sub", "sub_average", "sub_gap")]
        else:
            names += ["index", "gap", "previous_index"]
        if about_county:
            names += ["county_average", "county_gap"]
        claims += [(name, subject) for name in names]
    return claims


def _closest(figure: ReadFigure, wanted: list[Expected | None]) -> str | None:
    """Return what the results give for the figure's kind (for a place, the place among as many), if anything."""
    kinds = (read.CHANGE, read.UNCHANGED) if figure.kind == read.ALMOST else (figure.kind,)
    same_kind = [w for w in wanted if w is not None and w.kind in kinds]
    if figure.kind == read.PLACE:
        same_kind = [w for w in same_kind if w.value[1] == figure.value[1]] or same_kind
    return same_kind[0].describe() if same_kind else None


# --- what other code calls ------------------------------------------------------------------------------------


def check_figures(year: int | YearFigures, municipality_code: str | None, texts: Iterable[str], *,
                  district_id: int | None = None) -> None:
    """Raise FigureMismatch unless every number in the texts (plain or HTML) agrees with the stored results.

    Call it with everything a message or page with one municipality's figures says (subject, HTML, text)
    just before it leaves the system: before enqueue, before a PDF or a page is returned.
    """
    figures = year if isinstance(year, YearFigures) else year_figures(year)
    memo: dict = {}
    mismatches = [m for text in texts if text
                  for m in verify_text(text, figures, municipality_code, district_id=district_id, memo=memo)]
    if mismatches:
        raise FigureMismatch(mismatches)


def check_talking_points(points, year: YearFigures | None = None) -> None:
    """Raise FigureMismatch unless every sentence of the talking points states the figures it claims."""
    mismatches = verify_points(points, year)
    if mismatches:
        raise FigureMismatch(mismatches)
