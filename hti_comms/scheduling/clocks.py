"""Every process's clock as staff see it: each process records its offset to the database's clock each minute,
and the staff pages warn about a process whose clock is more than a second off, or that cannot read it."""
from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import delete, func, select

from .. import clock, dbclock, dbclock_app
from ..extensions import db
from .models import ProcessClock

#: Measurements older than this are of processes that stopped: not shown.
SHOWN_FOR = timedelta(minutes=10)
#: Rows older than this are deleted when another process records its own.
KEPT_FOR = timedelta(days=1)

TABLE = ProcessClock.__table__


def record(connection, role: str, offset: float) -> None:
    """Record this process's offset (a `dbclock` listener: PostgreSQL, on the measuring connection)."""
    from sqlalchemy.dialects.postgresql import insert  # only PostgreSQL measures: SQLite processes never load it

    host = socket.gethostname()
    values = {"process": f"{host}:{os.getpid()}", "role": role, "host": host, "offset_seconds": offset,
              "measured_at": func.clock_timestamp()}
    statement = insert(TABLE).values(**values)
    connection.execute(statement.on_conflict_do_update(index_elements=[TABLE.c.process], set_={
        "role": statement.excluded.role, "offset_seconds": statement.excluded.offset_seconds,
        "measured_at": statement.excluded.measured_at}))
    connection.execute(delete(TABLE).where(TABLE.c.measured_at < func.clock_timestamp() - KEPT_FOR))


def clock_warnings() -> list[str]:
    """Return Swedish warnings for the staff pages: this process's clock if it cannot be trusted or is off, and
    every other running process whose clock is more than a second off."""
    warnings = []
    own = dbclock_app.clock_health()
    if own.warning:
        warnings.append(own.warning)
    this_process = f"{socket.gethostname()}:{os.getpid()}"
    recent = db.session.execute(select(ProcessClock).where(
        ProcessClock.measured_at >= clock.now() - SHOWN_FOR, ProcessClock.process != this_process,
        func.abs(ProcessClock.offset_seconds) > dbclock.WARN_OFFSET_SECONDS).order_by(ProcessClock.role,
                                                                                        ProcessClock.host))
    for (row,) in recent:
        warnings.append(dbclock.offset_warning(f"{row.role} på {row.host}", row.offset_seconds))
    return warnings


def setup_clock_records() -> None:
    dbclock.add_listener(record)
