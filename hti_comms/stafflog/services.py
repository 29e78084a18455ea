"""Write the staff log, search it, export it as CSV, and delete what is older than the retention period.

Every staff POST that succeeds is written by the staff guard (`hti_comms.staff`) with the action its route
declares; code that knows more (the embargo events, logins) writes its own row with `record`, and then the
request adds none of its own: one row per action.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app, g, has_request_context, request
from sqlalchemy import delete, func, or_, select

from .. import clock
from ..exports import csv_document
from ..extensions import db
from ..formatting import format_datetime
from .models import LogEntry

PAGE_SIZE = 100
#: The words for the objects a staff route's URL names ("newsletter_id=12" -> "nyhetsbrev 12").
OBJECT_WORDS = {
    "newsletter_id": "nyhetsbrev", "section_id": "avsnitt", "send_id": "utskick", "outbox_id": "brev",
    "event_id": "evenemang", "registration_id": "anmälan", "contact_id": "kontakt", "affiliation_id": "uppdrag",
    "audience_id": "målgrupp", "import_id": "import", "year": "år", "order_id": "beställning", "code": "kommun",
    "district_id": "distrikt", "link_id": "länk", "message_id": "testbrev", "user_id": "personal",
    "request_id": "begäran", "kind": "sort", "kind_key": "sort", "direction": "riktning", "number": "nummer",
}


def _staff_and_address(actor):
    """Return (staff id, actor text, client address) from an explicit actor or the logged-in person."""
    from flask_login import current_user

    address = request.remote_addr if has_request_context() else None
    if actor is not None and not isinstance(actor, str):
        return actor.id, actor.email, address
    staff_id = None
    if has_request_context() and current_user and current_user.is_authenticated:
        staff_id = current_user.id
        actor = actor or current_user.email
    return staff_id, (actor or ""), address


def record(kind: str, action: str, *, actor=None, target: str = "", detail: str = "", year: int | None = None,
           municipality_code: str | None = None) -> LogEntry:
    """Add a row in the caller's transaction; `actor` is a StaffUser, a text, or None for the logged-in person."""
    staff_id, actor_text, address = _staff_and_address(actor)
    entry = LogEntry(at=clock.now(), staff_user_id=staff_id, actor=actor_text[:255], address=address,
                     kind=kind[:80], action=action[:200], target=target[:300], detail=detail, year=year,
                     municipality_code=municipality_code)
    db.session.add(entry)
    if has_request_context():
        g.staff_log_written = True
    return entry


def describe_target(view_args: dict | None) -> str:
    """Return the objects a route's URL names, in words: "nyhetsbrev 12, avsnitt 3"."""
    return ", ".join(f"{OBJECT_WORDS.get(name, name)} {value}" for name, value in (view_args or {}).items())


@dataclass(frozen=True)
class Search:
    """What staff search the log for; every part optional."""

    person: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


def _filtered(search: Search):
    query = select(LogEntry)
    if search.person.strip():
        wanted = f"%{search.person.strip().lower()}%"
        query = query.where(func.lower(LogEntry.actor).like(wanted))
    if search.kind:
        query = query.where(LogEntry.kind == search.kind)
    if search.since:
        query = query.where(LogEntry.at >= _midnight(search.since))
    if search.until:
        query = query.where(LogEntry.at < _midnight(search.until + timedelta(days=1)))
    return query


def search_entries(search: Search) -> tuple[list[LogEntry], int]:
    """Return one page of the rows that match, newest first, and how many match in all."""
    query = _filtered(search)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(LogEntry.at.desc(), LogEntry.id.desc())
                              .limit(PAGE_SIZE).offset((max(search.page, 1) - 1) * PAGE_SIZE))
    return list(rows), total


def kinds() -> list[tuple[str, str]]:
    """Return (kind, action words) of every kind in the log, for the search form."""
    rows = db.session.execute(select(LogEntry.kind, func.max(LogEntry.action)).group_by(LogEntry.kind))
    return sorted(((kind, action) for kind, action in rows), key=lambda pair: pair[1].lower())


HEADER = ["Tid (svensk tid)", "Vem", "Från adress", "Vad", "Vilket", "Detaljer", "År", "Kommunkod"]


def as_csv(search: Search) -> bytes:
    """Return every matching row, oldest first, as CSV for Excel (the one writer: formulas are escaped)."""
    rows = db.session.scalars(_filtered(search).order_by(LogEntry.at, LogEntry.id))
    return csv_document(HEADER, ([format_datetime(e.at), e.actor, e.address or "", e.action, e.target, e.detail,
                                  e.year or "", e.municipality_code or ""] for e in rows))


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Return the moment before which rows are deleted: STAFF_LOG_RETENTION_YEARS ago (29 February → 28th)."""
    now = now or clock.now()
    years = current_app.config["STAFF_LOG_RETENTION_YEARS"]
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def delete_expired() -> int:
    """Delete the rows older than the retention period and commit; return how many."""
    deleted = db.session.execute(delete(LogEntry).where(LogEntry.at < retention_cutoff())).rowcount
    db.session.commit()
    return deleted


def mentioning(person) -> list[LogEntry]:
    """Return the rows that name the person by address (for their export and erasure)."""
    return list(db.session.scalars(select(LogEntry).where(or_(
        *(person.may_be_mentioned_in(column, by_name=False)
          for column in (LogEntry.actor, LogEntry.target, LogEntry.detail)))).order_by(LogEntry.at, LogEntry.id)))


def _midnight(day: date) -> datetime:
    """Return the UTC instant of midnight, Stockholm time, starting `day`."""
    from ..scheduling.localtime import stockholm_to_utc

    return stockholm_to_utc(datetime.combine(day, time()))
