"""The figure check's part for sentences about an earlier action plan (`hti_comms.action_plans.followup`).

    Inför 2025 planerade Karlsborg att förbättra informationen (Information). Sedan dess har delindex Information
    ökat med 4,2 enheter, från 58,3 till 62,5.

The year after "Inför" must follow a year for which the register holds a plan of the municipality (asked here, of
the register); "från 58,3" must be the area's stored value of that plan year, re-derived from the results of that
year, and "ökat med 4,2 enheter" the change from it to this year's value, from exact values rounded half up.

Claims (in `Point.claims`) name these figures with the plan year after an @:
- `plan_year@2024`: the year "Inför 2025" names (2024 + 1), given a registered plan of 2024;
- `earlier@2024:information`: the area's value in 2024 (`index` for the whole index);
- `since@2024:information`: this year's value minus 2024's.

In any other text (an email, a page) a sentence "Inför N planerade …" sets the plan year N − 1 for itself and for
the sentences after it in the same paragraph that say "sedan dess"; those may state the figures above.
"""
from __future__ import annotations

import re

from . import figure_reading as read

_CLAIM = re.compile(r"^(?P<kind>plan_year|earlier|since)@(?P<year>\d{4})(?::(?P<area>\w+))?$")
_PLANNED = re.compile(r"\binför (\d{4}) planerade\b", re.IGNORECASE)
_SINCE = re.compile(r"\bsedan dess\b", re.IGNORECASE)
#: The claims a plan sentence in free text may make, for the areas it names (the whole index when none).
_AREA_NAMES = {"information": "information", "biståndshandläggning": "bistandshandlaggning",
               "utförande": "utforande", "stöd och utveckling": "stod_och_utveckling"}


def is_plan_claim(claim: str) -> bool:
    return "@" in claim


def expected_plan(claim: str, year, figures):
    """Return the Expected figure a plan claim names (see the module docstring), or None when there is none."""
    from .figure_expectations import Expected, UnknownClaim, _change, _value

    match = _CLAIM.match(claim)
    if match is None:
        raise UnknownClaim(f"unknown claim {claim!r}")
    if figures is None:
        raise UnknownClaim(f"the claim {claim!r} needs a municipality")
    plan_year = int(match["year"])
    if plan_year >= year.year:
        return None
    if match["kind"] == "plan_year":
        return Expected(read.YEAR, plan_year + 1) if plan_year in registered_plan_years(year, figures.code) else None
    area = match["area"] or "index"
    earlier = year.earlier(plan_year)
    then = _area_value(earlier.municipalities.get(figures.code) if earlier else None, area)
    if match["kind"] == "earlier":
        return _value(then)
    return _change(read.CHANGE, _area_value(figures, area), then)


def _area_value(figures, area: str):
    if figures is None:
        return None
    return figures.index if area == "index" else figures.sub_values.get(area)


def registered_plan_years(year, code: str) -> frozenset[int]:
    """Return the years before `year.year` for which the register holds a plan of the municipality (kept with
    the year's figures, so one check asks the register once per municipality)."""
    kept = year.plan_years
    if code not in kept:
        from ..action_plans.coverage import plan_years_of

        kept[code] = frozenset(y for y in plan_years_of(code) if y < year.year)
    return kept[code]


def plan_year_of(sentence: str) -> int | None:
    """Return the plan year a sentence "Inför N planerade …" is about (N − 1), or None."""
    match = _PLANNED.search(sentence)
    return int(match.group(1)) - 1 if match else None


def says_since(sentence: str) -> bool:
    return _SINCE.search(sentence) is not None


def plan_claims(sentence: str, plan_year: int | None) -> list[str]:
    """Return the plan claims a sentence of free text may make, given the plan year its paragraph set."""
    if plan_year is None:
        return []
    claims = [f"plan_year@{plan_year}"]
    if says_since(sentence):
        lowered = sentence.lower()
        areas = [key for name, key in _AREA_NAMES.items() if f"delindex {name}" in lowered] or ["index"]
        claims += [f"{kind}@{plan_year}:{area}" for area in areas for kind in ("earlier", "since")]
    return claims
