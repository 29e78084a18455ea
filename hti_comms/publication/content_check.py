"""The embargo rule on authored content (`Domain.content_checks`): no figure of a year that is not public yet.

Asked through `hti_comms.release.check_content` before a newsletter or circular is sent (preview, `hti
newsletter check`, the start of the send) and by the public archive, which leaves out a newsletter for as long
as this check finds an unpublished figure in what was sent: it reappears by itself at the publication, with
nothing to sweep.

A figure is flagged when, in any way of writing it (`text_figures`), it stands with a place named in any
inflection — in the same sentence or within `NEAR_WORDS` words — and equals one of that place's figures of a
year that is not public at the moment of sending:

* a municipality: its index and sub-indices, its change since the year before, the county average; its
  places (in the ranking, per sub-index, in its county) and the places it moved; its index as a whole number
  next to index wording;
* a county: its average;
* or, with no place, a national average near words that say so ("genomsnittet", "alla kommuner", "riket").

A figure that is also the same place's figure in a year already public stays allowed (the text may be quoting
last year), and a number with no place or national wording near it is never flagged: with some 1,450 figures a
year, bare numbers would match almost anything. An audience that chooses its recipients by the results of a
year not yet public (`Content.result_selections`) is refused too: the choice itself tells each recipient
something about their municipality's result. Nobody outside staff is entitled to a year's results before its
publication except an ordering municipality's own contacts, who get only their own embargoed summary; so before
the publication no audience built from that year may be used for a send.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..checks import Finding, error
from ..extensions import db
from ..formatting import format_datetime, format_number, round_half_up
from ..release import Content
from ..results.models import SUB_INDICES, ResultSet
from ..results.publication import is_released
from .moments import publication_moment
from .text_figures import Distances, PlaceNames, WrittenNumber, fold, normalise, read_numbers

#: Words between a number and a place name (or national wording) that still make it that place's figure.
NEAR_WORDS = 12
_NATIONAL = re.compile(r"\b(?:genomsnitt\w*|snitt\w*|medel\w*|rikssnitt\w*|riksgenomsnitt\w*|riket|landet|"
                       r"sverige|alla kommuner\w*|samtliga kommuner\w*|nationell\w*|average|national\w*|mean)\b")


@dataclass(frozen=True)
class Figure:
    year: int
    place: str
    #: What the figure is, in Swedish ("index", "plats i delindex Utförande", "genomsnittet i Skåne län").
    what: str


@dataclass
class FigureBook:
    """A year's figures by place (folded name) and kind of number, as a reader could write them."""

    year: int
    decimals: dict[str, dict[Decimal, Figure]] = field(default_factory=dict)
    places: dict[str, dict[int, Figure]] = field(default_factory=dict)
    wholes: dict[str, dict[int, Figure]] = field(default_factory=dict)
    national: dict[Decimal, Figure] = field(default_factory=dict)

    def add(self, table: str, place_key: str, value, figure: Figure) -> None:
        if value is None:
            return
        key = round_half_up(abs(value), 1) if table == "decimals" else int(round_half_up(abs(value), 0))
        getattr(self, table).setdefault(place_key, {}).setdefault(key, figure)

    def match(self, place_key: str, number: WrittenNumber) -> Figure | None:
        if number.decimals:
            return self.decimals.get(place_key, {}).get(round_half_up(number.value, 1))
        if number.is_place:
            return self.places.get(place_key, {}).get(int(number.value))
        if number.is_index:
            return self.wholes.get(place_key, {}).get(int(number.value))
        return None


def _key(name: str) -> str:
    return " ".join(fold(name).replace("-", " ").split())


def _book(ranking, county_names: dict[str, str]) -> FigureBook:
    year = ranking.year
    book = FigureBook(year)
    sub_labels = dict(SUB_INDICES)
    for entry in ranking.entries:
        name, key = entry.municipality_name, _key(entry.municipality_name)
        county = county_names.get(entry.county_code, entry.county_name)

        def add(table, value, what, name=name, key=key):
            book.add(table, key, value, Figure(year, name, what))

        add("decimals", entry.index, "kommunens index")
        add("wholes", entry.index, "kommunens index")
        add("decimals", entry.county_average, f"genomsnittet i {entry.county_name}")
        add("decimals", entry.index_change, "förändringen av kommunens index sedan året före")
        add("places", entry.rank, "kommunens plats i rankningen")
        add("places", entry.county_rank, f"kommunens plats i {entry.county_name}")
        if entry.rank_change:
            add("places", entry.rank_change, "hur många placeringar kommunen har flyttat")
        for measure, label in sub_labels.items():
            add("decimals", entry.values.get(measure), f"kommunens delindex {label}")
            add("wholes", entry.values.get(measure), f"kommunens delindex {label}")
            add("places", entry.ranks.get(measure), f"kommunens plats i delindex {label}")
        book.add("decimals", _key(county), entry.county_average,
                 Figure(year, entry.county_name, f"genomsnittet i {entry.county_name}"))
    for measure, value in ranking.national_averages.items():
        label = "index" if measure == "index_value" else f"delindex {sub_labels[measure]}"
        if value is not None:
            book.national.setdefault(round_half_up(value, 1),
                                     Figure(year, "alla kommuner", f"genomsnittet för alla kommuner, {label}"))
    return book


def _books(years: list[int]) -> dict[int, FigureBook]:
    """Return the figure books of `years`, made once per data version in each process."""
    from ..geo.services import county_short_names
    from ..results.cache import cached_ranking
    from ..results.publication import publication_state

    state = publication_state()
    kept = current_app.extensions.setdefault("hti_figure_books", {})
    books = {}
    for year in years:
        if year not in state.years:
            continue
        version = (state.ranking_version(year), state.years[year].published_at)
        found = kept.get(year)
        if found is None or found[0] != version:
            ranking = cached_ranking(year, state)
            if ranking is None:
                continue
            found = kept[year] = (version, _book(ranking, county_short_names()))
        books[year] = found[1]
    return books


def unpublished_years(at: datetime) -> list[int]:
    """Return the years with results that are not public at `at`."""
    return [year for year in db.session.scalars(select(ResultSet.year).order_by(ResultSet.year))
            if not is_released(publication_moment(year), at)]


def _when(year: int) -> str:
    moment = publication_moment(year)
    return format_datetime(moment) if moment else "när publiceringstiden är satt"


def _figure_finding(figure: Figure, number: WrittenNumber) -> Finding:
    return error("Text", f"Texten innehåller ett resultat för {figure.place} i Hemtjänstindex {figure.year} som "
                         f"inte är publicerat: ”{number.text}” är {figure.what} ({format_number(number.value)}). "
                         f"Det får skickas tidigast {_when(figure.year)}.")


def unpublished_figures(text: str, at: datetime) -> list[Finding]:
    """Return a finding for every figure of a year not public at `at` that `text` states (one per figure)."""
    years = unpublished_years(clock.as_utc(at))
    if not years or not (text or "").strip():
        return []
    books = _books(sorted({*years, *(y for y in _public_years(at))}))
    secret = [books[y] for y in years if y in books]
    if not secret:
        return []
    public = [book for year, book in books.items() if year not in years]
    text = normalise(text)
    numbers = read_numbers(text)
    if not numbers:
        return []
    places = _names(secret).find(text)
    distances = Distances(text)
    national_at = [m.start() for m in _NATIONAL.finditer(fold(text))]
    findings, seen = [], set()
    for number in numbers:
        def near(position, number=number):
            return distances.same_sentence(position, number.start) or \
                distances.words_between(position, number.start) <= NEAR_WORDS
        near_places = {place.key for place in places if near(place.start)}
        for book in secret:
            hits = [(key, book.match(key, number)) for key in sorted(near_places)]
            hits = [(key, figure) for key, figure in hits if figure is not None
                    and not any(other.match(key, number) for other in public)]
            if not hits and number.decimals and any(near(position) for position in national_at):
                figure = book.national.get(round_half_up(number.value, 1))
                if figure is not None and not any(round_half_up(number.value, 1) in other.national
                                                  for other in public):
                    hits = [("", figure)]
            for _key_name, figure in hits[:1]:
                if (figure, number.start) not in seen:
                    seen.add((figure, number.start))
                    findings.append(_figure_finding(figure, number))
    return findings


def _public_years(at: datetime) -> list[int]:
    return [year for year in db.session.scalars(select(ResultSet.year))
            if is_released(publication_moment(year), clock.as_utc(at))]


def _names(books: list[FigureBook]) -> PlaceNames:
    keys = frozenset(key for book in books for table in (book.decimals, book.places, book.wholes) for key in table)
    kept = current_app.extensions.setdefault("hti_figure_names", {})
    if keys not in kept:
        kept.clear()
        kept[keys] = PlaceNames(keys)
    return kept[keys]


def unpublished_selections(content: Content) -> list[Finding]:
    """Return an error for every audience that chooses recipients by results not public when it is sent."""
    findings = []
    at = clock.as_utc(content.send_at)
    for audience, year in content.result_selections:
        if not is_released(publication_moment(year), at):
            findings.append(error(
                "Målgrupp", f"Målgruppen ”{audience}” väljer mottagare efter resultaten i Hemtjänstindex {year}, "
                            "som inte är publicerade. Ett utskick till den skulle avslöja resultaten för "
                            f"mottagarna före publiceringen. Den kan användas tidigast {_when(year)}."))
    return findings


def check_unpublished_figures(content: Content) -> list[Finding]:
    """Content check (`Domain.content_checks`): refuse figures and audiences of a year not yet public."""
    return unpublished_figures(content.text or "", content.send_at) + unpublished_selections(content)
