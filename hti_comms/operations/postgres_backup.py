"""PostgreSQL: `pg_dump` in its custom format; a restore read whole before one transaction replaces everything.

The client programs must be of the server's major version: Debian keeps each version's in
/usr/lib/postgresql/<version>/bin (package postgresql-client-<version>), which is looked in first.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .backup import BackupError, check_revision
from .sqlite_backup import not_empty

#: The longest a dump or a restore may take (a few minutes for this database; generous for a slow disk).
TIMEOUT_SECONDS = 3600


def _connection(database_url: str) -> tuple[str, dict]:
    """Return a libpq address without the password, and an environment that carries it."""
    url = make_url(database_url).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def server_major(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SHOW server_version_num"))) // 10000
    finally:
        engine.dispose()


def tool(name: str, major: int) -> str:
    """Return the path of the client program `name` of PostgreSQL `major`; BackupError saying what to install."""
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    found = []
    for candidate in filter(None, candidates):
        if not os.access(candidate, os.X_OK):
            continue
        answer = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30).stdout
        version = re.search(r"(\d+)(?:\.\d+)?", answer)
        if version and int(version.group(1)) == major:
            return candidate
        found.append(f"{candidate} är version {version.group(1) if version else '?'}")
    if not found:
        raise BackupError(f"Programmet {name} saknas. Installera PostgreSQL:s klientprogram av samma version som "
                          f"databasservern ({major}), på Debian paketet postgresql-client-{major}.")
    raise BackupError(f"{'; '.join(found)}, men databasservern är version {major}. Installera "
                      f"postgresql-client-{major} (Debian), så används {name} av rätt version.")


def backup_postgres(database_url: str, out: Path) -> None:
    pg_dump = tool("pg_dump", server_major(database_url))
    address, env = _connection(database_url)
    result = subprocess.run([pg_dump, "--format=custom", "--file", str(out), "--dbname", address],
                            capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS)
    if result.returncode != 0:
        raise BackupError(f"pg_dump misslyckades: {result.stderr.strip()}")


def table_names(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")))
    finally:
        engine.dispose()


def revision_in_script(script: Path) -> str | None:
    """Return the migration revision the dump's alembic_version table holds (read from its COPY data)."""
    with script.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("COPY ") and ".alembic_version " in line:
                value = next(lines, "").strip()
                return value if value and value != "\\." else None
    return None


def functions_in_script(script: Path) -> list[str]:
    """Return the functions the dump makes (`schema.name(arguments)`), e.g. the content version's trigger function."""
    with script.open(encoding="utf-8") as lines:
        return [found.group(1) for line in lines if (found := _CREATE_FUNCTION.match(line))]


_CREATE_FUNCTION = re.compile(r"CREATE FUNCTION (\S+\(.*?\)) RETURNS ")


def restore_postgres(database_url: str, source: Path, force: bool) -> str:
    """Read the whole dump into SQL (refusing a damaged one), then replace every table in one transaction."""
    major = server_major(database_url)
    pg_restore, psql = tool("pg_restore", major), tool("psql", major)
    address, env = _connection(database_url)
    with tempfile.TemporaryDirectory(prefix="hti-restore-") as folder:
        script = Path(folder) / "restore.sql"
        result = subprocess.run([pg_restore, "--no-owner", "--no-privileges", "--file", str(script), str(source)],
                                capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise BackupError(f"Filen {source} är skadad eller avkortad och kan inte läsas tillbaka "
                              f"({_first_line(result.stderr)}). Ingenting har ändrats i databasen. Använd en annan "
                              "säkerhetskopia.")
        revision = revision_in_script(script)
        check_revision(revision, source)
        tables = table_names(database_url)
        if tables and not force:
            raise BackupError(not_empty(len(tables)))
        whole = Path(folder) / "whole.sql"
        with whole.open("w", encoding="utf-8") as out:
            if tables:
                out.write("DROP TABLE IF EXISTS " + ", ".join(f'"{name}"' for name in tables) + " CASCADE;\n")
            for function in functions_in_script(script):  # the migrations' own (a trigger's), made anew below
                out.write(f"DROP FUNCTION IF EXISTS {function} CASCADE;\n")
            with script.open(encoding="utf-8") as restored:
                shutil.copyfileobj(restored, out)
        result = subprocess.run([psql, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
                                 "--dbname", address, "--file", str(whole)],
                                capture_output=True, text=True, env=env, timeout=TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise BackupError(f"Återställningen avbröts och ingenting har ändrats i databasen: "
                              f"{_first_line(result.stderr)}")
    return revision


def _first_line(message: str) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return lines[0] if lines else "okänt fel"
