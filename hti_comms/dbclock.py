"""The database server's clock as every process's clock: measured at start and every minute, then followed.

Processes run on machines whose clocks disagree (a web server 5 s fast, a scheduler 15 s fast). Each one asks
the database server for its time (`SELECT clock_timestamp()`, one round trip on a connection of its own) the
first time it reads the clock and again once a minute after that, and from then on counts on from the server's
answer with its own monotonic clock. So `hti_comms.clock.now()` is the database's time in every process, and
"published yet?", "released yet?" and every lease mean the same moment everywhere. A wrong system clock
changes nothing, not even when it is stepped between two measurements.

* The server's answer is counted from the end of its round trip, so the time a process counts on is never ahead
  of the database's (at most a round trip behind: a decision may come that much late, never early). A
  measurement with a round trip over `MAX_ROUND_TRIP_SECONDS` is not kept. A new measurement that agrees with
  the time counted on from the last one, within its round trip, changes nothing: the clock never jumps back
  for noise.
* `clock.trusted_now()`, asked by every embargo decision, refuses (ClockNotTrusted) when no good measurement is
  younger than `TRUST_SECONDS`: public pages then answer 503, release guards hold their sends, the publication
  sweeps wait. The offset to this machine's clock is logged loudly when it is over a second, and shown to staff.
* SQLite: the database is a file on this machine and has no clock of its own; this machine's clock is the
  database's clock (offset 0 by definition) and nothing is measured.

Wiring it into an app, its health for checks and the line long-running commands print: `hti_comms.dbclock_app`.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from . import clock
from .clock import ClockNotTrusted

log = logging.getLogger(__name__)

#: Seconds between measurements.
MEASURE_EVERY_SECONDS = 60.0
#: Seconds before trying again after a measurement failed.
RETRY_SECONDS = 5.0
#: A measurement older than this (three missed) is not trusted for embargo decisions.
TRUST_SECONDS = 180.0
#: The longest round trip of a measurement that is kept (the database's time is known to within it).
MAX_ROUND_TRIP_SECONDS = 2.0
#: An offset to this machine's clock beyond this is logged loudly and shown to staff (the machine needs NTP).
WARN_OFFSET_SECONDS = 1.0
#: A new measurement within this of the time counted on from the last one changes nothing (no jumps for noise).
SMOOTHING_SECONDS = 0.005
#: The longest a decision that needs a trusted time waits for another thread's measurement.
FORCED_WAIT_SECONDS = 5.0
#: The database time query (the actual current time, not the transaction's start as now() would be).
QUERY = "SELECT clock_timestamp()"


@dataclass(frozen=True)
class Measurement:
    """The database's time at one moment of this process's monotonic clock.

    The server read its clock somewhere within the round trip; the time is counted from the end of the round
    trip, so the time this process counts on from it is never ahead of the database's, at most a round trip
    behind: an embargo decision may come that much late, never early.
    """

    database_time: datetime
    monotonic: float
    #: The database's time minus this machine's clock, in seconds (positive: this machine is behind), from the
    #: middle of the round trip.
    offset: float
    round_trip: float


@dataclass(frozen=True)
class ClockHealth:
    """What a health check reports about this process's clock."""

    #: False when embargo decisions are refused (no recent measurement): the health check fails.
    is_healthy: bool
    #: The database's time minus this machine's clock, in seconds; None when not measured.
    offset_seconds: float | None
    #: How old the last good measurement is, in seconds; None when there is none (or nothing to measure).
    age_seconds: float | None
    #: A Swedish sentence for staff when something needs attention (an unmeasured clock, one off by > 1 s).
    warning: str | None
    #: "postgresql" (measured) or "sqlite" (the file has no clock: offset 0).
    source: str


class DatabaseClock:
    """The database server's time for this process (`clock.use_reference`)."""

    def __init__(self, url: str, *, measure: Callable[[], tuple[datetime, float, float, datetime]] | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        """`measure` and `monotonic` replace the database query and the monotonic clock (tests)."""
        self.url = url
        self._monotonic = monotonic
        self._measurement: Measurement | None = None
        #: The monotonic time of the last good measurement (the anchor above may be older: see `_keep`).
        self._last_good: float | None = None
        self._next_attempt = 0.0
        self._last_attempt = float("-inf")
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._engine_pid = 0
        self._measure_once = measure or self._query
        self._warned_offset = False
        self._failing = False

    # --- reading ------------------------------------------------------------------------------------------

    def now(self) -> datetime | None:
        """Return the database's time now, measuring first when a measurement is due; None if never measured."""
        if self._monotonic() >= self._next_attempt:
            self.measure()
        measurement = self._measurement
        if measurement is None:
            return None
        return measurement.database_time + timedelta(seconds=self._monotonic() - measurement.monotonic)

    def require_trust(self) -> None:
        """Raise ClockNotTrusted unless a good measurement is younger than TRUST_SECONDS (measuring if need be)."""
        age = self._age()
        if age is None or age > TRUST_SECONDS:
            self.measure(force=True)
            age = self._age()
        if age is None or age > TRUST_SECONDS:
            raise ClockNotTrusted("Databasens klocka har inte kunnat läsas på över tre minuter, så det går inte att "
                                  "avgöra säkert om resultat får visas eller skickas än. Det väntar tills klockan "
                                  "kan läsas igen.")

    def _age(self) -> float | None:
        last_good = self._last_good
        return None if last_good is None else self._monotonic() - last_good

    # --- measuring ----------------------------------------------------------------------------------------

    def measure(self, force: bool = False) -> Measurement | None:
        """Measure now if due, and return the measurement in use.

        `force` (a decision that needs a trusted time and has none): measure even before the retry time, at most
        once a second, and wait for another thread that is measuring rather than answer without a measurement.
        """
        acquired = self._lock.acquire(timeout=FORCED_WAIT_SECONDS) if force else self._lock.acquire(blocking=False)
        if not acquired:
            return self._measurement
        try:
            moment = self._monotonic()
            if force:
                age = self._age()
                if (age is not None and age <= TRUST_SECONDS) or moment - self._last_attempt < 1.0:
                    return self._measurement  # another thread measured meanwhile, or tried a moment ago
            elif moment < self._next_attempt:
                return self._measurement
            self._last_attempt = moment
            try:
                database_time, started, finished, system_middle = self._measure_once()
            except Exception as exc:  # noqa: BLE001 - the database may be away; the clock must still answer
                self._next_attempt = self._monotonic() + RETRY_SECONDS
                if not self._failing:
                    log.warning("!!! clock: could not read the database server's time (%s); embargo decisions "
                                "wait after %d s without a measurement !!!", type(exc).__name__, TRUST_SECONDS)
                self._failing = True
                return self._measurement
            self._failing = False
            if finished - started > MAX_ROUND_TRIP_SECONDS:
                self._next_attempt = self._monotonic() + RETRY_SECONDS
                log.warning("clock: the database took %.3f s to tell its time; measuring again shortly",
                            finished - started)
                return self._measurement
            self._keep(Measurement(clock.as_utc(database_time), finished,
                                   (clock.as_utc(database_time) - system_middle).total_seconds(), finished - started))
            self._next_attempt = self._monotonic() + MEASURE_EVERY_SECONDS
            return self._measurement
        finally:
            self._lock.release()

    def _keep(self, new: Measurement) -> None:
        old = self._measurement
        if old is not None:
            # Both are lower bounds of the database's time. A new one a little behind the time counted on from the
            # old one is explained by its own round trip: keep counting from the old one, so time never goes back
            # for noise (only a real step of the database's clock, or drift beyond a round trip, re-anchors).
            counted_on = old.database_time + timedelta(seconds=new.monotonic - old.monotonic)
            ahead = (new.database_time - counted_on).total_seconds()
            if -(new.round_trip + SMOOTHING_SECONDS) <= ahead <= SMOOTHING_SECONDS:
                new = Measurement(old.database_time, old.monotonic, new.offset, new.round_trip)
        self._measurement = new
        self._last_good = self._monotonic()
        if abs(new.offset) > WARN_OFFSET_SECONDS:
            if not self._warned_offset:
                log.warning("!!! clock: this machine's clock is %.1f s %s the database server's; hti-comms uses the "
                            "database's time, but set this machine's clock right (NTP) !!!", abs(new.offset),
                            "behind" if new.offset > 0 else "ahead of")
            self._warned_offset = True
        else:
            self._warned_offset = False

    def _query(self) -> tuple[datetime, float, float, datetime]:
        """Ask the server its time; return it with the monotonic times around the question and this machine's
        time in the middle."""
        engine = self._connection_engine()
        with engine.connect() as connection:
            system_before = clock.system_now()
            started = self._monotonic()
            database_time = connection.exec_driver_sql(QUERY).scalar_one()
            finished = self._monotonic()
            system_middle = system_before + (clock.system_now() - system_before) / 2
            if _role is not None:
                offset = (clock.as_utc(database_time) - system_middle).total_seconds()
                for listener in _LISTENERS:
                    try:
                        listener(connection, _role, offset)
                    except Exception:  # noqa: BLE001 - recording is a courtesy to staff; the time is what matters
                        log.debug("clock: a listener failed", exc_info=True)
        return database_time, started, finished, system_middle

    def _connection_engine(self) -> Engine:
        # One short connection a minute, never from the app's pool (a request may hold every pooled one), never
        # blocked by a lock for long, and a new engine after a fork (gunicorn workers).
        if self._engine is None or self._engine_pid != os.getpid():
            self._engine = create_engine(
                self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                connect_args={"connect_timeout": 3, "application_name": "hti clock",
                              "options": "-c lock_timeout=500 -c statement_timeout=3000"})
            self._engine_pid = os.getpid()
        return self._engine

    # --- reporting ----------------------------------------------------------------------------------------

    def health(self) -> ClockHealth:
        measurement = self._measurement
        if self._monotonic() >= self._next_attempt:
            measurement = self.measure()
        age = self._age()
        if measurement is None or age is None or age > TRUST_SECONDS:
            return ClockHealth(False, measurement.offset if measurement else None, age,
                               UNMEASURED.format(where=process_label()), "postgresql")
        warning = None
        if abs(measurement.offset) > WARN_OFFSET_SECONDS:
            warning = offset_warning(process_label(), measurement.offset)
        return ClockHealth(True, measurement.offset, age, warning, "postgresql")


UNMEASURED = ("Klockan i {where} har inte kunnat jämföras med databasens på över tre minuter: databasens klocka "
              "gick inte att läsa. Resultat visas inte och embargobrev väntar tills den kan läsas igen.")


def offset_warning(where: str, offset: float) -> str:
    """Return the Swedish warning that a process's clock is off by `offset` seconds (database − machine)."""
    seconds = f"{abs(offset):.1f}".replace(".", ",")
    direction = "efter" if offset > 0 else "före"
    return (f"Klockan i {where} går {seconds} sekunder {direction} databasens. Programmet räknar med databasens "
            "tid, så inget publiceras eller skickas för tidigt, men ställ klockan rätt (NTP) på den datorn.")


# --- the process ------------------------------------------------------------------------------------------

#: What this process is, for staff ("webbservern", "utskicksprocessen", "schemaläggaren"); None: not recorded.
_role: str | None = None
#: Called with (connection, role, offset seconds) after each measurement of a named process, on the measuring
#: connection (the scheduling domain records every process's offset for the staff pages).
_LISTENERS: list[Callable] = []


def add_listener(listener: Callable) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def set_role(role: str) -> None:
    """Name this process for the staff pages' clock warning (long-running processes only)."""
    global _role
    _role = role


def role() -> str | None:
    return _role


def process_label() -> str:
    return f"{_role or 'den här processen'} på {socket.gethostname()}"
