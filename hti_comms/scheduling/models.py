"""The scheduler's own state (who holds the single-instance lock, its heartbeat) and every process's clock."""
from datetime import datetime

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class SchedulerState(db.Model):
    """The scheduler's lock holder and heartbeat (one row per named scheduler)."""

    __tablename__ = "scheduler_state"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: "<host>:<pid>:<random>" of the process holding the lock, or None.
    holder: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Seconds each sweep's last run took ({"name": seconds}), written with the heartbeat (for /metrics).
    sweep_seconds: Mapped[dict[str, float] | None] = mapped_column(JSON)


class ProcessClock(db.Model):
    """How far one running process's own clock is from the database server's, as it last measured (each minute).

    Every process uses the database's time whatever its own clock says (`hti_comms.dbclock`); this is kept so
    that staff see which machine needs its clock set right.
    """

    __tablename__ = "process_clock"

    #: "<host>:<pid>".
    process: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: What the process is, in Swedish ("webbservern", "utskicksprocessen", "schemaläggaren").
    role: Mapped[str] = mapped_column(String(50))
    host: Mapped[str] = mapped_column(String(200))
    #: The database's time minus the process's own clock, in seconds (positive: the machine is behind).
    offset_seconds: Mapped[float] = mapped_column(Float)
    #: The database's time of the measurement.
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
