"""Who came: an attendance report matched to the registrations of an event.

Matching is by address (the one address rule, `hti_comms.addresses`); a person who rejoined has their minutes
summed. Someone in the report under an address no registration has is "unknown": if a registration of the
event carries the same name, it is offered for staff to confirm (never applied by itself), and a walk-in can be
added as a registration. Importing again replaces the earlier import, in one transaction.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select

from .. import clock
from ..addresses import display_address, lookup_form
from ..extensions import db
from ..formatting import format_date
from .attendance_files import AttendanceLine, read_attendance
from .attendance_models import Attendee
from .calendar import new_registration_uid
from .models import Event, Registration, RegistrationStatus, new_key

#: A report whose people joined more than this many days from the event's day is probably another event's.
FAR_OFF_DAYS = 2


@dataclass
class Person:
    """One person of a report: their lines summed."""

    line: int
    name: str
    email: str
    minutes: int = 0
    registration: Registration | None = None
    suggested: Registration | None = None


@dataclass
class Report:
    shape: str
    people: list[Person] = field(default_factory=list)
    absent: list[Registration] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def attended(self) -> list[Person]:
        return [p for p in self.people if p.registration is not None]

    @property
    def unknown(self) -> list[Person]:
        return [p for p in self.people if p.registration is None]

    def summary(self) -> str:
        """Return the line `hti event attendance --import` ends with."""
        return f"{len(self.attended)} deltog, {len(self.absent)} uteblev, {len(self.unknown)} okända"


def _name_key(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return " ".join(folded.split())


def _group(lines: list[AttendanceLine]) -> list[Person]:
    people: dict[str, Person] = {}
    for line in lines:
        email = lookup_form(line.email) if line.email else ""
        key = email or "name:" + _name_key(line.name)
        person = people.get(key)
        if person is None:
            person = people[key] = Person(line=line.line, name=line.name, email=email)
        person.minutes += line.minutes
        person.name = person.name or line.name
    return list(people.values())


def read_report(event: Event, data: bytes, filename: str) -> Report:
    """Read a report and match it to the event's registrations; nothing is saved (AttendanceFileError)."""
    lines, shape = read_attendance(data, filename)
    report = Report(shape=shape, people=_group(lines))
    registrations = list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))
    by_email = {r.email: r for r in registrations}
    for person in report.people:
        person.registration = by_email.get(person.email)
    matched = {p.registration.id for p in report.people if p.registration is not None}
    by_name: dict[str, Registration] = {}
    for registration in registrations:
        if registration.id not in matched and registration.status is not RegistrationStatus.CANCELLED:
            by_name.setdefault(_name_key(registration.name), registration)
    for person in report.unknown:
        person.suggested = by_name.get(_name_key(person.name)) if person.name else None
    report.absent = [r for r in registrations
                     if r.status is RegistrationStatus.REGISTERED and r.id not in matched]
    report.warnings = _date_warnings(event, [line.joined_on for line in lines if line.joined_on])
    return report


def _date_warnings(event: Event, days: list[date]) -> list[str]:
    if not days:
        return []
    event_day = clock.to_stockholm(event.starts_at).date()
    typical = sorted(days)[len(days) // 2]
    if abs((typical - event_day).days) <= FAR_OFF_DAYS:
        return []
    return [f"Rapporten gäller ett möte den {format_date(typical)}, men ”{event.title}” var den "
            f"{format_date(event_day)}. Kontrollera att det är rätt rapport."]


def apply_report(event: Event, report: Report) -> None:
    """Save the report as the event's attendance, replacing an earlier import (in the caller's transaction)."""
    db.session.execute(delete(Attendee).where(Attendee.event_id == event.id))
    registrations = db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    minutes = {p.registration.id: p.minutes for p in report.attended}
    for registration in registrations:
        registration.attended = registration.id in minutes
        registration.attended_minutes = minutes.get(registration.id, 0)
    for person in report.people:
        db.session.add(Attendee(event_id=event.id, line=person.line, name=person.name[:200],
                                email=person.email[:254], minutes=person.minutes,
                                registration_id=person.registration.id if person.registration else None,
                                suggested_registration_id=person.suggested.id if person.suggested else None))
    event.attendance_imported_at = clock.now()
    db.session.flush()


def import_attendance(event: Event, data: bytes, filename: str) -> Report:
    """Read and save a report at once (the caller commits)."""
    report = read_report(event, data, filename)
    apply_report(event, report)
    return report


def attendees(event: Event) -> list[Attendee]:
    return list(db.session.scalars(select(Attendee).where(Attendee.event_id == event.id).order_by(Attendee.line)))


def unknown_attendees(event: Event) -> list[Attendee]:
    return [a for a in attendees(event) if a.registration_id is None]


def confirm_name_match(attendee: Attendee) -> Registration:
    """Count the line for the registration with the same name that staff confirmed is the same person."""
    registration = attendee.suggested
    if registration is None:
        raise ValueError("no registration is offered for this line")
    return _count_for(attendee, registration)


def add_walk_in(attendee: Attendee) -> Registration:
    """Add someone who attended without registering as a registration that attended (no email is sent)."""
    if attendee.registration_id is not None:
        return attendee.registration
    now = clock.now()
    registration = db.session.scalar(select(Registration).where(
        Registration.event_id == attendee.event_id, Registration.email == attendee.email))
    if registration is None:
        registration = Registration(event_id=attendee.event_id, email=attendee.email,
                                    name=attendee.name or display_address(attendee.email), key=new_key(),
                                    calendar_uid=new_registration_uid(), status=RegistrationStatus.REGISTERED,
                                    created_at=now, registered_at=now, organisation="")
        db.session.add(registration)
        db.session.flush()
    return _count_for(attendee, registration)


def _count_for(attendee: Attendee, registration: Registration) -> Registration:
    attendee.registration_id = registration.id
    attendee.suggested_registration_id = None
    registration.attended = True
    registration.attended_minutes = (registration.attended_minutes or 0) + attendee.minutes
    db.session.flush()
    return registration


def attendance_rows(event: Event) -> list[dict]:
    """Return `hti event attendance --format json`: per registration its address, attended and minutes."""
    registrations = db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                       .order_by(Registration.created_at, Registration.id))
    return [{"email": display_address(r.email), "name": r.name, "status": r.status.value, "attended": r.attended,
             "minutes": r.attended_minutes} for r in registrations]
