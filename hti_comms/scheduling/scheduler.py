"""The one scheduler process: APScheduler running the registered sweeps, guarded by a single-instance lock.

Schedules live in our own tables; APScheduler only keeps an in-memory interval job per sweep (never pickled).
A second scheduler started by mistake finds the lock taken and stands by, trying again every few seconds,
so it takes over if the first one stops. The lock is a PostgreSQL advisory lock held on a dedicated
connection (released by the server if the process dies), or on SQLite a lock row that expires when its
heartbeat is older than SCHEDULER_STALE_SECONDS.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import false, or_, text, true, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..dbretry import DATABASE_ERRORS, Reconnector, Unavailable
from ..extensions import db
from .models import SchedulerState
from .sweeps import last_durations, load_sweeps, run_sweep

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger(__name__)
SCHEDULER_NAME = "main"
HEARTBEAT_SECONDS = 5.0
STANDBY_POLL_SECONDS = 2.0
#: Key of the PostgreSQL advisory lock ("HTIS" as a number).
ADVISORY_LOCK_KEY = 0x48544953


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class SingleInstanceLock:
    """Held by at most one scheduler process at a time; also writes the heartbeat the admin checks."""

    def __init__(self, holder: str, stale_seconds: int):
        self.holder = holder
        self.stale_seconds = stale_seconds
        self._connection = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; return whether this process holds it now."""
        if db.engine.dialect.name == "postgresql" and self._connection is None:
            connection = db.engine.connect()
            if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}):
                connection.close()
                return False
            connection.commit()
            self._connection = connection
        now = clock.now()
        self._ensure_row()
        taken = db.session.execute(
            update(SchedulerState).where(
                SchedulerState.name == SCHEDULER_NAME,
                or_(SchedulerState.holder.is_(None), SchedulerState.holder == self.holder,
                    SchedulerState.heartbeat_at < now - timedelta(seconds=self.stale_seconds),
                    # With the advisory lock held, a leftover holder is a process that died.
                    true() if self._connection is not None else false()),
            ).values(holder=self.holder, heartbeat_at=now, started_at=now)
        ).rowcount == 1
        db.session.commit()
        if not taken:
            self._drop_connection()
        return taken

    def _ensure_row(self) -> None:
        if db.session.get(SchedulerState, SCHEDULER_NAME) is None:
            try:
                db.session.add(SchedulerState(name=SCHEDULER_NAME))
                db.session.commit()
            except IntegrityError:
                db.session.rollback()

    def heartbeat(self) -> bool:
        """Record that the scheduler is alive; return False if the lock was lost."""
        if self._connection is not None:
            try:
                self._connection.scalar(text("SELECT 1"))
                self._connection.commit()
            except DATABASE_ERRORS as exc:
                log.warning("scheduler: lost the connection holding the lock (%s); taking it again",
                            type(getattr(exc, "orig", None) or exc).__name__)
                self._forget_connection()
                return False
        still_mine = db.session.execute(
            update(SchedulerState).where(SchedulerState.name == SCHEDULER_NAME, SchedulerState.holder == self.holder)
            .values(heartbeat_at=clock.now(), sweep_seconds=last_durations())
        ).rowcount == 1
        db.session.commit()
        db.session.remove()
        return still_mine

    def release(self) -> None:
        db.session.execute(update(SchedulerState).where(SchedulerState.name == SCHEDULER_NAME,
                                                        SchedulerState.holder == self.holder)
                           .values(holder=None))
        db.session.commit()
        self._drop_connection()

    def _forget_connection(self) -> None:
        connection, self._connection = self._connection, None
        try:
            connection.invalidate()
        except Exception:  # noqa: BLE001 - it is already broken; the server released the lock with it
            log.debug("invalidating the lost lock connection failed", exc_info=True)

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None


def _run_in_app(app: Flask, name: str) -> None:
    with app.app_context():
        run_sweep(name)


def build_scheduler(app: Flask) -> BackgroundScheduler:
    """Return an APScheduler with one in-memory interval job per registered sweep, each due at once."""
    # Imported here: every process loads this module for the staff pages' banner; only the scheduler runs jobs.
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    start = datetime.now(timezone.utc)  # APScheduler's own timing is real time; due work uses clock.now()
    for item in load_sweeps().values():
        scheduler.add_job(_run_in_app, IntervalTrigger(seconds=item.every_seconds), args=[app, item.name],
                          id=item.name, name=item.name, next_run_time=start)
    return scheduler


def run_scheduler(stop: threading.Event, on_state=None) -> None:
    """Run until `stop` is set: stand by while another scheduler holds the lock, sweep while we hold it."""
    app = current_app._get_current_object()
    lock = SingleInstanceLock(holder_id(), app.config["SCHEDULER_STALE_SECONDS"])
    announce = on_state or (lambda message: log.info(message))
    # The database may go away (restart, failover, network): roll back, reconnect and carry on, never die.
    reconnect = Reconnector("scheduler", stop, first_delay=STANDBY_POLL_SECONDS / 4)
    standing_by = False
    while not stop.is_set():
        try:
            acquired = reconnect.attempt(lock.try_acquire)
        except Unavailable:
            continue
        if not acquired:
            if not standing_by:
                announce("En annan schemaläggare är igång; den här väntar och tar över om den andra stannar.")
                standing_by = True
            stop.wait(STANDBY_POLL_SECONDS)
            continue
        standing_by = False
        announce(f"Schemaläggaren är igång ({len(load_sweeps())} svep).")
        _sweep_while_locked(app, lock, stop, announce, reconnect)
    try:
        lock.release()
    except DATABASE_ERRORS:
        log.warning("could not release the scheduler lock; it expires by itself")
    announce("Schemaläggaren har stannat.")


def _sweep_while_locked(app: Flask, lock: SingleInstanceLock, stop: threading.Event, announce,
                        reconnect: Reconnector) -> None:
    scheduler = build_scheduler(app)
    scheduler.start()
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                alive = reconnect.attempt(lock.heartbeat)
            except Unavailable:
                continue
            if not alive:
                announce("Schemaläggaren förlorade sitt lås och går över till att vänta.")
                return
    finally:
        scheduler.shutdown(wait=True)


def scheduler_health() -> str | None:
    """Return a Swedish warning when the scheduler's heartbeat is missing or stale, else None."""
    state = db.session.get(SchedulerState, SCHEDULER_NAME)
    stale = timedelta(seconds=current_app.config["SCHEDULER_STALE_SECONDS"])
    if state is None or state.heartbeat_at is None:
        return ("Schemaläggaren har aldrig startats. Schemalagda utskick skickas inte förrän den är igång "
                "(kommandot: flask --app app hti scheduler).")
    if state.holder is None or clock.now() - state.heartbeat_at > stale:
        from ..formatting import format_datetime

        return (f"Schemaläggaren har inte hört av sig sedan {format_datetime(state.heartbeat_at)}. "
                "Schemalagda utskick skickas inte förrän den är igång igen.")
    return None


def register_banner(app: Flask) -> None:
    """Give the staff layout `scheduler_warning()`, the banner shown while no scheduler is running, and
    `clock_warnings()`, about clocks that disagree with the database's."""

    from .clocks import clock_warnings, setup_clock_records

    setup_clock_records()

    @app.context_processor
    def scheduler_template_helpers():
        # Functions, so the heartbeat and the clocks are only read by pages that show the banner (the staff layout).
        return {"scheduler_warning": scheduler_health, "clock_warnings": clock_warnings}
