"""Helpers for the backup tests: run `hti restore` against another database, compare two databases table by table."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, func, inspect, select, text

from hti_comms.extensions import db
from tests.processes import PROJECT_ROOT

#: Rows compared one by one in each table: the first and the last few by primary key.
SAMPLE = 5


def flask_command(args: list[str], database_url: str, **env: str) -> subprocess.CompletedProcess:
    """Run `flask --app app <args>` against `database_url` to the end; return the finished process."""
    environment = dict(os.environ, HTI_ENV="test", DATABASE_URL=database_url, BASE_URL="https://hti.example.se")
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT_ROOT,
                          env=environment, capture_output=True, text=True, timeout=600)


def snapshot(database_url: str) -> dict[str, tuple[int, list]]:
    """Return, per table, its row count and a sample of its rows (first and last by primary key)."""
    engine = create_engine(database_url)
    try:
        names = set(inspect(engine).get_table_names())
        tables = [table for table in db.metadata.sorted_tables if table.name in names]
        result = {}
        with engine.connect() as connection:
            for table in tables:
                count = connection.scalar(select(func.count()).select_from(table))
                key = list(table.primary_key.columns) or list(table.columns)[:1]
                first = connection.execute(select(table).order_by(*key).limit(SAMPLE)).all()
                last = connection.execute(select(table).order_by(*(c.desc() for c in key)).limit(SAMPLE)).all()
                result[table.name] = (count, [tuple(row) for row in first + last])
            result["alembic_version"] = (1, [tuple(connection.execute(
                text("SELECT version_num FROM alembic_version")).one())])
        return result
    finally:
        engine.dispose()


def table_count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        return len(inspect(engine).get_table_names())
    finally:
        engine.dispose()
