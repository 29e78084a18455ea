"""What the health check and the metrics read: the database, the scheduler's heartbeat, the outbox, the workers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, text

from .. import clock
from ..dbretry import DATABASE_ERRORS, reset_session
from ..delivery.stats import oldest_due_at
from ..extensions import db
from ..scheduling.models import ProcessClock, SchedulerState
from ..scheduling.scheduler import SCHEDULER_NAME

#: The role a send worker records with its clock measurement (hti_comms/delivery/cli.py).
WORKER_ROLE = "utskicksprocessen"
#: A worker measures its clock once a minute; one seen within this window is running ("the last minute", with
#: room for a measurement that came a little late).
WORKER_SEEN = timedelta(seconds=90)


@dataclass
class Health:
    database_reachable: bool
    scheduler_heartbeat_age_seconds: float | None = None
    oldest_due_outbox_age_seconds: float | None = None
    workers_seen: int = 0
    #: What is wrong, in Swedish (empty: healthy).
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"status": "ok" if not self.problems else "fel", "problems": self.problems,
                "database_reachable": self.database_reachable,
                "scheduler_heartbeat_age_seconds": _rounded(self.scheduler_heartbeat_age_seconds),
                "oldest_due_outbox_age_seconds": _rounded(self.oldest_due_outbox_age_seconds),
                "workers_seen_last_minute": self.workers_seen}


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 1)


def scheduler_heartbeat_age(now) -> float | None:
    heartbeat = db.session.scalar(select(SchedulerState.heartbeat_at).where(SchedulerState.name == SCHEDULER_NAME))
    return None if heartbeat is None else max(0.0, (now - heartbeat).total_seconds())


def sweep_durations() -> dict[str, float] | None:
    return db.session.scalar(select(SchedulerState.sweep_seconds).where(SchedulerState.name == SCHEDULER_NAME))


def workers_seen(now) -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessClock).where(
        ProcessClock.role == WORKER_ROLE, ProcessClock.measured_at >= now - WORKER_SEEN)) or 0


def health() -> Health:
    """Return the health of the installation as this web process sees it."""
    try:
        db.session.execute(text("SELECT 1"))
        now = clock.now()
        heartbeat_age = scheduler_heartbeat_age(now)
        oldest = oldest_due_at(now)
        workers = workers_seen(now)
    except DATABASE_ERRORS:
        reset_session()
        return Health(False, problems=["Databasen svarar inte."])
    result = Health(True, heartbeat_age, None if oldest is None else max(0.0, (now - oldest).total_seconds()),
                    workers)
    stale = current_app.config["SCHEDULER_STALE_SECONDS"]
    if heartbeat_age is None:
        result.problems.append("Schemaläggaren har aldrig hörts av (hti scheduler körs inte).")
    elif heartbeat_age > stale:
        result.problems.append(f"Schemaläggaren har inte hörts av på {heartbeat_age:.0f} sekunder "
                               f"(gränsen är {stale}).")
    if oldest is not None and workers == 0:
        result.problems.append("Brev väntar på att skickas, men ingen utskicksprocess har hörts av den senaste "
                               "minuten (hti send-worker körs inte).")
    return result
