"""What a figure should say: the figure a claim names, re-derived, and whether a number read from a text agrees.

Rounding is the one of `wording`: differences from exact values, half up to one decimal; a figure written with
another number of decimals does not agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..clock import to_stockholm
from ..formatting import format_number, format_signed, round_half_up
from . import figure_reading as read
from .figure_derivation import SUB_INDEX_NAMES, MunicipalityFigures, Standing, YearFigures
from .figure_reading import ReadFigure
from .plan_figures import expected_plan, is_plan_claim


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
