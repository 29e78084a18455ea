"""The bounces domain's share of a person's data: the reports about their address and lifted suppressions."""
from __future__ import annotations

from sqlalchemy import delete, select

from ..addresses import lookup_form
from ..extensions import db
from ..personal_data import Person, timestamp
from .models import BounceReport, SuppressionLift


def export(person: Person) -> list[dict]:
    """Return every bounce and complaint about the person's address, and suppressions lifted, newest first."""
    email = lookup_form(person.email)
    reports = [{
        "slag": report.kind.label,
        "när": timestamp(report.reported_at),
        "kod": report.status,
        "svar från mottagaren": report.detail,
        "vad vi gjorde": report.outcome,
    } for report in db.session.scalars(select(BounceReport).where(BounceReport.email == email)
                                       .order_by(BounceReport.reported_at.desc()))]
    lifts = [{
        "slag": "Spärren hävdes",
        "när": timestamp(lift.lifted_at),
        "varför": lift.reason,
    } for lift in db.session.scalars(select(SuppressionLift).where(SuppressionLift.email == email))]
    return reports + lifts


def erase(person: Person) -> int:
    """Remove every report about the address and every lifted suppression of it (the raw messages too)."""
    email = lookup_form(person.email)
    removed = db.session.execute(delete(BounceReport).where(BounceReport.email == email)).rowcount
    return removed + db.session.execute(delete(SuppressionLift).where(SuppressionLift.email == email)).rowcount
