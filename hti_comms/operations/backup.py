"""Backup and restore of the whole database: `hti backup OUT`, `hti restore IN [--force]`, the nightly backup.

SQLite is copied with its online backup API (one consistent snapshot while the web app, the workers and the
scheduler go on writing); PostgreSQL with `pg_dump` in its custom format (a consistent snapshot too). A restore
first reads the whole file (a corrupt or truncated file is refused before the database is touched), refuses a
database that is not empty unless forced, replaces everything in one transaction, and brings the schema to the
migrations' head. Every message a person reads is Swedish.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .. import clock
from ..config import PROJECT_ROOT

#: The first bytes of each kind of backup file.
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why in Swedish, and nothing was changed."""


@dataclass(frozen=True)
class Restored:
    #: The migration the backup was at, and the one the database is at now.
    revision_in_file: str
    revision_now: str


def backend(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


def backup_name(database_url: str) -> str:
    """Return a file name for a backup made now: hti-2026-12-06T030000.sqlite3 (Stockholm time)."""
    stamp = clock.to_stockholm(clock.now()).strftime("%Y-%m-%dT%H%M%S")
    return f"hti-{stamp}{SUFFIXES[backend(database_url)]}"


def write_backup(database_url: str, out: Path) -> Path:
    """Write a consistent copy of the database to `out` (a new file, or a folder to put a named file in)."""
    out = Path(out)
    if out.is_dir():
        out = out / backup_name(database_url)
    if out.exists():
        raise BackupError(f"Filen {out} finns redan. Välj ett nytt filnamn (eller en mapp), så skrivs ingenting över.")
    if not out.parent.is_dir():
        raise BackupError(f"Mappen {out.parent} finns inte. Skapa den först.")
    partial = out.with_name(out.name + ".delvis")
    try:
        if backend(database_url) == "sqlite":
            from .sqlite_backup import backup_sqlite

            backup_sqlite(database_url, partial)
        else:
            from .postgres_backup import backup_postgres

            backup_postgres(database_url, partial)
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.replace(out)  # a file named as a backup is always a whole one
    finally:
        partial.unlink(missing_ok=True)
    return out


def restore_backup(database_url: str, source: Path, force: bool = False) -> Restored:
    """Replace the database's contents with the backup `source`; refuse a non-empty database unless `force`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Filen {source} finns inte.")
    with source.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    kind = backend(database_url)
    if start.startswith(SQLITE_MAGIC):
        found = "sqlite"
    elif start.startswith(PGDUMP_MAGIC):
        found = "postgresql"
    else:
        raise BackupError(f"Filen {source} är ingen säkerhetskopia från hti backup (den är skadad eller av fel slag). "
                          "Ingenting har ändrats i databasen.")
    if found != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"Filen {source} är en säkerhetskopia av en {names[found]}-databas, men DATABASE_URL pekar "
                          f"på {names[kind]}. Ingenting har ändrats i databasen.")
    if kind == "sqlite":
        from .sqlite_backup import restore_sqlite

        revision = restore_sqlite(database_url, source, force)
    else:
        from .postgres_backup import restore_postgres

        revision = restore_postgres(database_url, source, force)
    return Restored(revision, revision)


def migration_heads() -> set[str]:
    """Return the head revision(s) of the migrations shipped with this version of the program."""
    return set(_script_directory().get_heads())


def check_revision(revision: str | None, source: Path) -> None:
    """Refuse a backup whose schema this version of the program does not know (made by a newer version)."""
    if revision is None:
        raise BackupError(f"Filen {source} saknar uppgift om databasens version (tabellen alembic_version); den är "
                          "inte en hel säkerhetskopia av Hemtjänstindex. Ingenting har ändrats i databasen.")
    if not _known(revision):
        raise BackupError(f"Säkerhetskopian {source} är gjord av en nyare version av programmet (databasversion "
                          f"{revision}). Installera den versionen först. Ingenting har ändrats i databasen.")


def _known(revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return _script_directory().get_revision(revision) is not None
    except CommandError:
        return False


def _script_directory():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config)
