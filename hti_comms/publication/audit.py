"""The embargo log: the staff log's rows of one year (`hti_comms.stafflog`), written in the caller's transaction.

Embargo events come from staff, the order form, the scheduler and the municipalities' contacts; each is one row of
the one staff log with the year (and municipality) it concerns, its kind "publication.<event>". The embargo log
page and `logg.csv` show those rows of a year.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ..exports import csv_document
from ..extensions import db
from ..formatting import format_datetime
from ..stafflog.models import LogEntry
from ..stafflog.services import record as record_in_log
from .models import AuditAction

SCHEDULER = "schemaläggaren"
FORM = "formuläret"
COMMAND_LINE = "kommandoraden"
KIND_PREFIX = "publication."
#: Every kind of row that belongs to the embargo log.
EMBARGO_KINDS = tuple(KIND_PREFIX + action.value for action in AuditAction)


def kind(action: AuditAction) -> str:
    return KIND_PREFIX + action.value


def action_of(entry: LogEntry) -> AuditAction:
    return AuditAction(entry.kind.removeprefix(KIND_PREFIX))


def record(year: int, action: AuditAction, *, actor: str, municipality_code: str | None = None,
           detail: str = "") -> LogEntry:
    """Add an entry to the embargo log (the caller commits)."""
    return record_in_log(kind(action), action.label, actor=actor, year=year, municipality_code=municipality_code,
                         detail=detail)


def _of_year(year: int):
    return select(LogEntry).where(LogEntry.year == year, LogEntry.kind.in_(EMBARGO_KINDS))


def entries(year: int) -> list[LogEntry]:
    """Return the year's entries, newest first."""
    return list(db.session.scalars(_of_year(year).order_by(LogEntry.at.desc(), LogEntry.id.desc())))


def has_entry(year: int, action: AuditAction, municipality_code: str | None) -> bool:
    return db.session.scalar(select(LogEntry.id).where(
        LogEntry.year == year, LogEntry.kind == kind(action), LogEntry.municipality_code == municipality_code)
        .limit(1)) is not None


def municipalities_with(year: int, action: AuditAction) -> int:
    """Return how many municipalities have an entry of `action` in the year."""
    return db.session.scalar(select(func.count(func.distinct(LogEntry.municipality_code))).where(
        LogEntry.year == year, LogEntry.kind == kind(action)))


def as_csv(year: int) -> bytes:
    """Return the year's audit log as CSV for Excel (hti_comms.exports), oldest first."""
    return csv_document(["Tid (svensk tid)", "Händelse", "Kommunkod", "Vem", "Detaljer"], (
        [format_datetime(entry.at), entry.action, entry.municipality_code or "", entry.actor, entry.detail]
        for entry in reversed(entries(year))))
