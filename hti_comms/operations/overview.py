"""The nightly backup on the staff overview: the last night's outcome, a warning when it failed or is missing."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..domain import OverviewPart
from ..extensions import db
from .models import NightlyBackup

#: A nightly backup older than this (or none at all) is a warning on the overview.
OVERDUE = timedelta(hours=30)


def nightly_backup() -> OverviewPart | None:
    """Show the last nightly backup; under "waiting for someone" when it failed or is overdue."""
    if not current_app.config.get("BACKUP_DIR"):
        return None
    last = db.session.scalars(select(NightlyBackup).order_by(NightlyBackup.night.desc()).limit(1)).first()
    last_good = db.session.scalars(select(NightlyBackup).where(NightlyBackup.path.is_not(None))
                                   .order_by(NightlyBackup.night.desc()).limit(1)).first()
    overdue = last_good is None or last_good.finished_at < clock.now() - OVERDUE
    failed = last is not None and last.error is not None
    return OverviewPart("waiting" if (failed or overdue) else "results", "web/operations/_overview.html",
                        {"last": last, "last_good": last_good, "failed": failed, "overdue": overdue}, order=90)
