"""The year plan's block on the staff overview: how much the next cycle still lacks."""
from __future__ import annotations

from ..domain import OverviewPart
from ..publication.moments import next_publication
from .plan import year_plan


def missing() -> OverviewPart | None:
    upcoming = next_publication()
    if upcoming is None:
        return None
    plan = year_plan(upcoming.year)
    todo = plan.missing + plan.warnings
    if not todo:
        return None
    return OverviewPart("next", "web/yearplan/_overview.html", {"year": upcoming.year, "todo": todo}, order=20)
