"""The nightly backup: once a night, after NIGHTLY_AT Stockholm time, into BACKUP_DIR, keeping BACKUP_KEEP files.

The night is claimed by inserting its row (a second scheduler run at the same moment finds it taken), so it runs
once a night; after downtime it runs at the next sweep, and a night that failed is shown on the staff overview.
"""
from __future__ import annotations

import logging
from datetime import time
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..scheduling.sweeps import sweep
from .backup import SUFFIXES, BackupError, backup_name, write_backup
from .models import NightlyBackup

log = logging.getLogger(__name__)

#: The nightly backup starts at this Stockholm time (after midnight's sweeps, long before the 07.00 publication).
NIGHTLY_AT = time(2, 30)


@sweep("operations.nightly_backup", every_seconds=60)
def nightly_backup() -> str | None:
    """Make tonight's backup if it is due and not made; return the file written (None when nothing was due)."""
    folder = current_app.config.get("BACKUP_DIR")
    if not folder:
        return None
    now = clock.now()
    local = clock.to_stockholm(now)
    if local.time() < NIGHTLY_AT:
        return None
    night = local.date().isoformat()
    if db.session.get(NightlyBackup, night) is not None:
        return None
    try:
        db.session.add(NightlyBackup(night=night, started_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    # No transaction stays open while the copy is made (a dump of PostgreSQL may take minutes).
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        if not Path(folder).is_dir():
            raise BackupError(f"Mappen {folder} (BACKUP_DIR) finns inte. Skapa den först.")
        written = write_backup(url, Path(folder) / backup_name(url))
    except (BackupError, OSError) as error:
        row = db.session.get(NightlyBackup, night)
        row.error = str(error) if isinstance(error, BackupError) else f"Kunde inte skriva i {folder}: {error}"
        row.finished_at = clock.now()
        db.session.commit()
        log.error("nightly backup failed: %s", row.error)
        return None
    row = db.session.get(NightlyBackup, night)
    row.path, row.size_bytes, row.finished_at = str(written), written.stat().st_size, clock.now()
    db.session.commit()
    prune(Path(folder), current_app.config["BACKUP_KEEP"])
    return str(written)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups in `folder` (only files named as our backups); return them."""
    ours = sorted((path for path in folder.glob("hti-*") if path.suffix in SUFFIXES.values() and path.is_file()),
                  key=lambda path: path.name)
    removed = ours[:-keep] if keep > 0 else []
    for path in removed:
        path.unlink(missing_ok=True)
    return removed
