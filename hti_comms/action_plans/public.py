"""What the public municipality page shows of a plan: the measures per area with status and date, and when the
plan was last updated. The register holds only what staff entered or approved, so all of it may be shown.

The page is kept per publication state and per `plan_version` (read on every request, like the follow-up links),
so a measure approved a moment ago shows on the next request.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select

from ..extensions import db
from ..formatting import format_day
from .models import Area, Measure, MeasureStatus

#: Built once: this runs on every request of a municipality page.
_VERSION = (select(Measure.id, Measure.year, Measure.updated_at)
            .where(Measure.municipality_code == bindparam("code"), Measure.year <= bindparam("year"))
            .order_by(Measure.id))

#: How the date after a status reads: "planerad 3 mars 2025", "pågår sedan …", "genomförd …".
_SINCE = {MeasureStatus.PLANNED: "sedan", MeasureStatus.IN_PROGRESS: "sedan", MeasureStatus.DONE: ""}


def plan_version(year: int, municipality_code: str) -> tuple:
    """Return (id, year, updated) of every measure of the municipality up to `year`: part of the kept page's key
    (the year's plan is shown, and an earlier plan is followed up in the sentences)."""
    with db.engine.connect() as connection:
        return tuple((row[0], row[1], str(row[2])) for row in connection.execute(
            _VERSION, {"year": year, "code": municipality_code}))


@dataclass(frozen=True)
class ShownMeasure:
    text: str
    horizon: str
    status: str
    source_url: str


@dataclass(frozen=True)
class ShownArea:
    label: str
    measures: list[ShownMeasure]


@dataclass(frozen=True)
class ShownPlan:
    areas: list[ShownArea]
    #: "3 mars 2025": the last change of any of the year's measures; "" without measures.
    updated: str


def _status(measure: Measure) -> str:
    word = _SINCE[measure.status]
    return f"{measure.status.label} {word + ' ' if word else ''}{format_day(measure.status_since)}"


def public_plan(year: int, municipality_code: str) -> ShownPlan:
    """Return the year's plan as the public page shows it, areas in the index's order."""
    measures = list(db.session.scalars(select(Measure).where(
        Measure.year == year, Measure.municipality_code == municipality_code).order_by(Measure.created_at, Measure.id)))
    areas = []
    for area in Area:
        chosen = [m for m in measures if m.area is area]
        if chosen:
            areas.append(ShownArea(area.label, [ShownMeasure(m.text[:1].upper() + m.text[1:], m.horizon.label,
                                                             _status(m), m.source_url) for m in chosen]))
    updated = format_day(max(m.updated_at for m in measures)) if measures else ""
    return ShownPlan(areas, updated)
