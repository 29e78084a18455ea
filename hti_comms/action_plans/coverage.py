"""Which municipalities have a registered plan: per year, per county, and as SQL for audiences.

A municipality "has a plan" for a year when the register holds at least one measure of it for that year (staff
entered it, or approved the municipality's own proposal); a proposal still waiting for review does not count.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from ..extensions import db
from ..geo.models import County, Municipality
from .models import Measure, PlanSubmission, SubmissionStatus


def plan_codes_query(year: int) -> Select:
    """Return a SELECT of the codes of the municipalities with a registered plan for `year` (for `IN (…)`)."""
    return select(Measure.municipality_code).where(Measure.year == year).distinct()


def plan_years_of(municipality_code: str) -> list[int]:
    """Return the years for which the municipality has a registered plan, newest first."""
    return list(db.session.scalars(select(Measure.year).where(Measure.municipality_code == municipality_code)
                                   .distinct().order_by(Measure.year.desc())))


def plan_years() -> list[int]:
    """Return every year with at least one registered measure, newest first."""
    return list(db.session.scalars(select(Measure.year).distinct().order_by(Measure.year.desc())))


@dataclass(frozen=True)
class CountyCoverage:
    code: str
    name: str
    with_plan: int
    municipalities: int


@dataclass(frozen=True)
class Coverage:
    year: int
    with_plan: int
    municipalities: int
    counties: list[CountyCoverage]
    #: (code, short name, measures) of every municipality with a plan, by name.
    planned: list[tuple[str, str, int]]
    #: (code, short name) of every municipality without one, by name.
    missing: list[tuple[str, str]]
    #: How many proposals from municipalities wait for review (any year).
    pending: int


def coverage(year: int) -> Coverage:
    """Return how many of the 290 have a registered plan for `year`, in all and per county."""
    counts = dict(db.session.execute(select(Measure.municipality_code, func.count()).where(Measure.year == year)
                                     .group_by(Measure.municipality_code)).all())
    municipalities = db.session.execute(select(Municipality.code, Municipality.short_name, County.code, County.name)
                                        .join(County, Municipality.county_code == County.code)).all()
    by_county: dict[str, list] = {}
    for code, name, county_code, county_name in municipalities:
        by_county.setdefault((county_code, county_name), []).append(code)
    counties = [CountyCoverage(code, name, sum(1 for c in members if c in counts), len(members))
                for (code, name), members in sorted(by_county.items(), key=lambda item: item[0][1])]
    ordered = sorted(municipalities, key=lambda row: row[1])
    pending = db.session.scalar(select(func.count()).select_from(PlanSubmission).where(
        PlanSubmission.review_status == SubmissionStatus.PENDING)) or 0
    return Coverage(year, len(counts), len(municipalities), counties,
                    [(code, name, counts[code]) for code, name, _c, _n in ordered if code in counts],
                    [(code, name) for code, name, _c, _n in ordered if code not in counts], pending)
