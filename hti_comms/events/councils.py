"""Which councils have taken the basic course: per municipality, whether its pensioner council has at least one
member who attended a basic course this year or in the last N years; a county summary; the codes for the audience
"pensionärsråd utan någon som gått grundkursen".

A person counts for a municipality when they attended (the imported attendance report) an event marked as a
basic course and either
- are a contact whose council-member affiliation names the municipality (the subscribers' register), or
- registered as a council member ("Ledamot i kommunens pensionärsråd/seniorråd") naming the municipality as
  where they come from (the registration form's "Kommun eller förening").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..geo.models import County, Municipality
from ..geo.services import MunicipalityIndex
from ..subscribers.models import Affiliation, Contact, Role
from .models import Event, EventKind, EventStatus, Registration

#: How many years back a basic course counts, besides this year (the default of the page and the audience).
DEFAULT_YEARS = 3
#: The registration form's words for a council member (subscribers' ROLE_CHOICES).
COUNCIL_ROLE_PREFIX = "Ledamot i kommunens"


@dataclass
class CouncilRow:
    code: str
    name: str
    county: str
    #: Who attended, with the day of their course, latest first.
    people: list[tuple[str, date]] = field(default_factory=list)

    @property
    def trained(self) -> bool:
        return bool(self.people)


@dataclass(frozen=True)
class CountyRow:
    name: str
    trained: int
    total: int


def window(years: int, today: date | None = None) -> tuple[datetime, datetime]:
    """Return the UTC span from 1 January `years` years ago to the end of this year (Stockholm)."""
    today = today or clock.to_stockholm(clock.now()).date()
    start = datetime(today.year - years, 1, 1, tzinfo=clock.STOCKHOLM)
    end = datetime(today.year + 1, 1, 1, tzinfo=clock.STOCKHOLM)
    return clock.as_utc(start), clock.as_utc(end)


def _attended(years: int, year: int | None) -> list[Registration]:
    start, end = window(years, date(year, 12, 31) if year else None)
    return list(db.session.scalars(
        select(Registration).join(Event, Event.id == Registration.event_id).where(
            Event.kind == EventKind.KURS, Event.is_basic_course.is_(True), Event.status == EventStatus.SCHEDULED,
            Event.starts_at >= start, Event.starts_at < end, Registration.attended.is_(True))))


def trained_people(years: int = DEFAULT_YEARS, year: int | None = None) -> dict[str, list[tuple[str, date]]]:
    """Return municipality code -> (name, course day) of council members who attended a basic course in `year`
    (None: this year) or the `years` before it."""
    attended = _attended(years, year)
    emails = {r.email for r in attended}
    register: dict[str, set[str]] = {}
    if emails:
        rows = db.session.execute(select(Contact.email, Affiliation.municipality_code)
                                  .join(Affiliation, Affiliation.contact_id == Contact.id)
                                  .where(Contact.email.in_(emails), Affiliation.role == Role.COUNCIL_MEMBER,
                                         Affiliation.municipality_code.is_not(None)))
        for email, code in rows:
            register.setdefault(email, set()).add(code)
    index = MunicipalityIndex() if attended else None
    found: dict[str, list[tuple[str, date]]] = {}
    for registration in attended:
        codes = set(register.get(registration.email, ()))
        if not codes and registration.role.startswith(COUNCIL_ROLE_PREFIX) and registration.organisation:
            municipality = index.find(registration.organisation)
            if municipality is not None:
                codes.add(municipality.code)
        day = clock.to_stockholm(registration.event.starts_at).date()
        for code in codes:
            found.setdefault(code, []).append((registration.name, day))
    for people in found.values():
        people.sort(key=lambda item: item[1], reverse=True)
    return found


def council_table(years: int = DEFAULT_YEARS) -> tuple[list[CouncilRow], list[CountyRow]]:
    """Return the 290 municipalities (by name) and the county summary (by county name)."""
    people = trained_people(years)
    counties = {c.code: c.name for c in db.session.scalars(select(County))}
    rows = [CouncilRow(m.code, m.short_name, counties.get(m.county_code, ""), people.get(m.code, []))
            for m in db.session.scalars(select(Municipality).order_by(Municipality.short_name))]
    summary: dict[str, list[int]] = {}
    for row in rows:
        counts = summary.setdefault(row.county, [0, 0])
        counts[0] += row.trained
        counts[1] += 1
    return rows, [CountyRow(name, trained, total) for name, (trained, total) in sorted(summary.items())]


def trained_count(years: int = DEFAULT_YEARS, year: int | None = None) -> tuple[int, int]:
    """Return how many municipalities' councils have someone who took the basic course, and how many there are."""
    total = db.session.scalar(select(func.count()).select_from(Municipality)) or 0
    return len(set(trained_people(years, year)) & set(db.session.scalars(select(Municipality.code)))), total


def untrained_codes(years: int = DEFAULT_YEARS) -> list[str]:
    """Return the codes of municipalities whose council has no one who attended a basic course in the window."""
    trained = set(trained_people(years))
    return [code for code in db.session.scalars(select(Municipality.code).order_by(Municipality.code))
            if code not in trained]
