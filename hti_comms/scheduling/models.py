"""The scheduler's own state: who holds the single-instance lock, and its heartbeat."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
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
