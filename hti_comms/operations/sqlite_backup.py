"""SQLite: a backup through the online backup API, a restore that checks the whole file first."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url

from .backup import BackupError, check_revision

#: Seconds a backup or restore waits for a writer to finish before giving up (the app waits as long).
BUSY_SECONDS = 60


def database_path(database_url: str) -> Path:
    path = make_url(database_url).database
    if not path or path == ":memory:":
        raise BackupError("DATABASE_URL pekar på en databas i minnet; den går inte att säkerhetskopiera.")
    return Path(path)


def backup_sqlite(database_url: str, out: Path) -> None:
    """Copy the database to `out` in one step: one consistent snapshot while other processes keep writing (WAL)."""
    path = database_path(database_url)
    if not path.is_file():
        raise BackupError(f"Databasfilen {path} finns inte.")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_SECONDS)) as source, \
            closing(sqlite3.connect(out)) as target:
        source.backup(target)  # all pages in one step: a read transaction, so one moment's state
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it


def read_revision(path: Path) -> str | None:
    """Check the whole file and return its migration revision; BackupError when it is damaged or truncated."""
    damaged = (f"Filen {path} är skadad eller avkortad och kan inte läsas tillbaka. Ingenting har ändrats i "
               "databasen. Använd en annan säkerhetskopia.")
    with path.open("rb") as file:
        header = file.read(100)
    page_size = int.from_bytes(header[16:18], "big") or 0
    page_size = 65536 if page_size == 1 else page_size
    page_count = int.from_bytes(header[28:32], "big")
    if len(header) < 100 or page_size < 512 or path.stat().st_size < page_size * page_count:
        raise BackupError(damaged)
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)) as backup:
            verdict = backup.execute("PRAGMA integrity_check").fetchall()
            if verdict != [("ok",)]:
                raise BackupError(damaged)
            has_version = backup.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                         "name = 'alembic_version'").fetchone()
            return backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] if has_version else None
    except sqlite3.DatabaseError:
        raise BackupError(damaged) from None


def table_count(path: Path) -> int:
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    with closing(sqlite3.connect(path, timeout=BUSY_SECONDS)) as database:
        return database.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite_%'").fetchone()[0]


def restore_sqlite(database_url: str, source: Path, force: bool) -> str:
    """Replace the database with the backup (one write transaction); return the backup's revision."""
    revision = read_revision(source)
    check_revision(revision, source)
    target_path = database_path(database_url)
    tables = table_count(target_path)
    if tables and not force:
        raise BackupError(not_empty(tables))
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)) as backup, \
            closing(sqlite3.connect(target_path, timeout=BUSY_SECONDS)) as target:
        backup.backup(target)  # the target's pages are replaced in one transaction: all or nothing
        target.execute("PRAGMA journal_mode=WAL")
    return revision


def not_empty(tables: int) -> str:
    return (f"Databasen är inte tom ({tables} tabeller). Återställ till en ny, tom databas, eller skriv --force "
            "om allt som finns i den ska ersättas av säkerhetskopian. Ingenting har ändrats.")
