"""Insert many rows quickly inside the session's transaction: COPY on PostgreSQL, executemany on SQLite."""
from __future__ import annotations

import gc
import json
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import JSON, Table

from ..extensions import db


@contextmanager
def cyclic_gc_paused():
    """Pause Python's cyclic garbage collector while a file's 100,000 rows become small objects.

    Each burst of new objects makes the collector scan the whole growing heap again, which costs more than
    the import itself; nothing built here forms reference cycles, so plain reference counting frees it all.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


COPY_LINES = 5000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """Return a value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _remembering(process):
    """Wrap a bind processor so that a repeated value (the import's one timestamp, an enum) is processed once."""
    if process is None:
        return None
    known: dict = {}

    def run(value):
        try:
            return known[value]
        except KeyError:
            result = known[value] = process(value)
            return result
        except TypeError:  # unhashable, e.g. a JSON list
            return process(value)
    return run


def _processor(column_type, dialect):
    if dialect.name == "postgresql" and isinstance(column_type, JSON):
        # The psycopg dialect wraps JSON for its own adapter; COPY wants the JSON text itself.
        return json.dumps
    return column_type._cached_bind_processor(dialect)


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the current transaction.

    Values go through each column type's own bind processing (enums, UTC times, JSON) exactly as an ORM
    insert would, but straight to the driver: SQLAlchemy's per-row statement handling costs more than the
    database's work when a contact file has 100,000 rows.
    """
    if not rows:
        return
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [_remembering(_processor(table.c[name].type, dialect)) for name in names]
    values = ([process(row[name]) if process else row[name] for name, process in zip(names, processors)]
              for row in rows)
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        # psycopg would otherwise send one INSERT per row; COPY streams them all in one statement, as text
        # written here (psycopg's row-by-row formatting costs more than the server's work).
        with driver.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            lines = []
            for row in values:
                lines.append("\t".join(_copy_text(value) for value in row))
                if len(lines) >= COPY_LINES:
                    copy.write("\n".join(lines) + "\n")
                    lines.clear()
            if lines:
                copy.write("\n".join(lines) + "\n")
        return
    placeholders = ", ".join("?" for _ in names)
    cursor = driver.cursor()
    try:
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})", values)
    finally:
        cursor.close()
