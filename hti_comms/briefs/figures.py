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

This module checks texts; the figures are derived in `figure_derivation`, what each claim should say is in
`figure_expectations`, and numbers are read from sentences in `figure_reading`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..results.models import SUB_INDICES
from . import figure_reading as read
from .figure_derivation import MunicipalityFigures, YearFigures, derive
from .figure_expectations import Expected, agrees, expected
from .figure_reading import ReadFigure, html_text, read_figures, sentences
from .plan_figures import plan_claims, plan_year_of, says_since

_LIST_NUMBER = re.compile(r"^\s*(\d+)\.\s")


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
