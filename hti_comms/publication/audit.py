"""The audit log of embargo-related actions: written in the caller's transaction, shown and exported to staff."""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..exports import csv_document
from ..extensions import db
from ..formatting import format_datetime
from .models import AuditAction, AuditEntry

SCHEDULER = "schemaläggaren"
FORM = "formuläret"
COMMAND_LINE = "kommandoraden"


def record(year: int, action: AuditAction, *, actor: str, municipality_code: str | None = None,
           detail: str = "") -> AuditEntry:
    """Add an entry to the audit log (the caller commits)."""
    entry = AuditEntry(year=year, at=clock.now(), action=action, municipality_code=municipality_code,
                       actor=actor[:255], detail=detail)
    db.session.add(entry)
    return entry


def entries(year: int) -> list[AuditEntry]:
    """Return the year's entries, newest first."""
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.year == year)
                                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))


def as_csv(year: int) -> bytes:
    """Return the year's audit log as CSV for Excel (hti_comms.exports), oldest first."""
    return csv_document(["Tid (svensk tid)", "Händelse", "Kommunkod", "Vem", "Detaljer"], (
        [format_datetime(entry.at), entry.action.label, entry.municipality_code or "", entry.actor, entry.detail]
        for entry in reversed(entries(year))))
