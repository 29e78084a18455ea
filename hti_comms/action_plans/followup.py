"""The following year: what a municipality planned after an earlier result, and how the targeted area moved.

For year Y the plan is the municipality's latest one of an earlier year P (normally Y − 1). Each targeted area
(one of the four sub-indices or the whole index) gets one point, however many measures it has:

    Inför 2025 planerade Karlsborg att förbättra informationen på kommunens webbplats och införa en
    avgiftskalkylator (Information). Sedan dess har delindex Information ökat med 4,2 enheter, från 58,3 till 62,5.

The change is said in the words of `briefs.wording.IndexChange` (the one owner of "ökat/minskat/i stort sett
oförändrat"), from the stored values of P and Y. An area that fell gets a question for the council ("Information
sjönk trots planen: vad hände med planen att …?"). Each point carries its claims, so the figure check
(`briefs.figures`, `briefs.plan_figures`) re-derives every number, and confirms from the register that a plan of
P exists, before the text leaves the system. A plan with no later result says nothing: Y's own points never
mention Y's plan.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..formatting import format_number
from .models import Area, Measure


@dataclass(frozen=True)
class AreaPlan:
    """The measures of one area in the earlier plan, and the area's value in the plan's year."""

    area: Area
    texts: tuple[str, ...]
    before: Decimal | None


@dataclass(frozen=True)
class EarlierPlan:
    """A municipality's latest plan of a year before the one the points are about."""

    plan_year: int
    areas: tuple[AreaPlan, ...]


def earlier_plans(year: int, municipality_code: str | None = None) -> dict[str, EarlierPlan]:
    """Return {code: EarlierPlan} for every municipality (or the one given) with a plan of a year before `year`.

    One query for the measures (each municipality's latest plan year before `year`) and one per plan year for its
    stored values, so the talking points of all 290 need not ask once each.
    """
    query = _measures_of_latest_plans(one_municipality=municipality_code is not None)
    rows = db.session.execute(query, {"year": year, "code": municipality_code})
    grouped: dict[str, tuple[int, dict[Area, list[str]]]] = {}
    for code, plan_year, area, text in rows:
        areas = grouped.setdefault(code, (plan_year, {}))[1]
        texts = areas.setdefault(area, [])
        if text not in texts:
            texts.append(text)
    from ..results.services import stored_values

    values: dict[int, dict] = {}
    for plan_year in {plan_year for plan_year, _areas in grouped.values()}:
        values[plan_year] = stored_values(plan_year, [c for c, (y, _a) in grouped.items() if y == plan_year])
    plans = {}
    for code, (plan_year, areas) in grouped.items():
        before = values[plan_year].get(code, {})
        plans[code] = EarlierPlan(plan_year, tuple(
            AreaPlan(area, tuple(areas[area]), before.get(area.measure)) for area in Area if area in areas))
    return plans


@cache
def _measures_of_latest_plans(one_municipality: bool) -> Select:
    """The measures of each municipality's latest plan of a year before `:year` (of the municipality `:code`
    only, if asked), oldest first. Made once: the talking points of 290 municipalities ask for it 290 times, and
    building the correlated subquery cost more than running it."""
    latest = aliased(Measure)
    year = bindparam("year")
    newest_year = (select(func.max(latest.year)).where(latest.municipality_code == Measure.municipality_code,
                                                       latest.year < year).scalar_subquery())
    query = select(Measure.municipality_code, Measure.year, Measure.area, Measure.text).where(
        and_(Measure.year < year, Measure.year == newest_year)).order_by(Measure.created_at, Measure.id)
    if one_municipality:
        query = query.where(Measure.municipality_code == bindparam("code"))
    return query


#: How a question about an area that fell despite the plan begins after the area's name.
FELL_DESPITE_PLAN = "sjönk trots planen"


def is_plan_question(text: str) -> bool:
    """Return whether a question of the talking points is one of these (it tells how an area moved)."""
    return f" {FELL_DESPITE_PLAN}: " in text


@dataclass(frozen=True)
class FollowUpPoint:
    """A sentence pair about one area (kind "plan"), or a question (kind "question"), with its claims."""

    kind: str
    text: str
    claims: tuple[str, ...] = ()


def _subject(area: Area) -> str:
    return "indexet" if area is Area.INDEX else f"delindex {area.label}"


def _named(area: Area) -> str:
    return "hela indexet" if area is Area.INDEX else area.label


def plan_sentence(name: str, plan_year: int, area_plan: AreaPlan) -> str:
    """Return 'Inför 2025 planerade Karlsborg att A, B och C (Information).' (one sentence for all measures)."""
    from ..briefs.wording import join_names

    return f"Inför {plan_year + 1} planerade {name} att {join_names(list(area_plan.texts))} ({_named(area_plan.area)})."


def followup_points(name: str, plan: EarlierPlan, current: Mapping[str, Decimal | None]) -> list[FollowUpPoint]:
    """Return the points about an earlier plan: one per area, then a question per area that fell.

    `current` holds this year's stored values by measure name ('index_value', 'information', …).
    """
    from ..briefs.wording import IndexChange, join_names

    points, questions = [], []
    for area_plan in plan.areas:
        area, year = area_plan.area, plan.plan_year
        first = plan_sentence(name, year, area_plan)
        claims: tuple[str, ...] = (f"plan_year@{year}",)
        before, after = area_plan.before, current.get(area.measure)
        now_claim = "index" if area is Area.INDEX else f"sub:{area.value}"
        since, earlier = f"since@{year}:{area.value}", f"earlier@{year}:{area.value}"
        subject = _subject(area)
        if before is None or after is None:
            second = (f"Det saknas uppgift om {subject} för något av åren, så det går inte att säga hur det har "
                      "ändrats sedan dess.")
        else:
            change = IndexChange(after, before)
            then_text, now_text = format_number(before), format_number(after)
            if change.is_same:
                second = f"Sedan dess är {subject} {change.words()}, {now_text}."
                claims += (since, now_claim)
            elif change.is_about_same:
                second = f"Sedan dess är {subject} {change.words()}, {then_text} då och {now_text} nu."
                claims += (since, earlier, now_claim)
            else:
                second = f"Sedan dess har {subject} {change.words()}, från {then_text} till {now_text}."
                claims += (since, earlier, now_claim)
                if change.amount < 0:
                    label = "Indexet" if area is Area.INDEX else area.label
                    questions.append(FollowUpPoint("question", f"{label} {FELL_DESPITE_PLAN}: vad hände med "
                                                               f"planen att {join_names(list(area_plan.texts))}?"))
        points.append(FollowUpPoint("plan", f"{first} {second}", claims))
    return points + questions


def movement(plan: EarlierPlan, current: Mapping[str, Decimal | None]) -> Decimal | None:
    """Return the largest change (by size, signed) of the plan's targeted areas, from exact values; None if none."""
    changes = [current.get(a.area.measure) - a.before for a in plan.areas
               if a.before is not None and current.get(a.area.measure) is not None]
    return max(changes, key=abs) if changes else None


def plan_json(plan: EarlierPlan, current: Mapping[str, Decimal | None]) -> dict:
    """Return the plan as the talking points' JSON says it: each area's value in both years and the change."""
    from ..briefs.wording import difference, json_number

    areas = []
    for area_plan in plan.areas:
        value, before = current.get(area_plan.area.measure), area_plan.before
        areas.append({"area": area_plan.area.value, "label": area_plan.area.label, "measures": list(area_plan.texts),
                      "previous_value": json_number(before), "value": json_number(value),
                      "change": json_number(difference(value, before))
                      if value is not None and before is not None else None})
    return {"plan_year": plan.plan_year, "areas": areas}
