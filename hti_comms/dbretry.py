"""Keep a long-running process alive when the database goes away (failover, restart, idle timeout, lock).

The send worker and the scheduler run for weeks. When PostgreSQL drops their connection, the session holds a
dead connection and a transaction that can only be rolled back; every later statement raises until someone
calls rollback. `Reconnector.attempt()` runs one unit of database work; when it fails on the database it rolls
back, throws the session away (the pool's pre-ping replaces dead connections), logs one line when the outage
starts and one when it is over, and waits with exponential backoff before the caller tries again.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, DisconnectionError, PendingRollbackError

from .extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

#: What a lost or unusable connection raises: driver errors (OperationalError, InterfaceError, a terminated
#: backend, "database is locked"), a disconnect found by the pool, and the session refusing to go on until
#: the failed transaction is rolled back.
DATABASE_ERRORS = (DBAPIError, DisconnectionError, PendingRollbackError)


class Unavailable(Exception):
    """The database work did not happen this time; the reconnector has already waited before a retry."""


class Reconnector:
    """Run database work; on a database error roll back, reconnect with backoff, log once, and go on."""

    def __init__(self, what: str, stop: threading.Event | None = None, *, first_delay: float = 0.5,
                 max_delay: float = 30.0, logger: logging.Logger | None = None):
        self.what = what
        self.stop = stop or threading.Event()
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.log = logger or log
        self.failures = 0
        self._down_since: float | None = None

    @property
    def is_down(self) -> bool:
        return self._down_since is not None

    def next_delay(self) -> float:
        """Return how long to wait after the current run of failures (0.5 s, 1 s, 2 s … at most max_delay)."""
        return min(self.first_delay * 2 ** max(self.failures - 1, 0), self.max_delay)

    def attempt(self, work: Callable[[], T]) -> T:
        """Return work(); on a database error recover, wait the backoff, and raise Unavailable."""
        try:
            result = work()
        except DATABASE_ERRORS as exc:
            self.failed(exc)
            raise Unavailable(str(exc)) from exc
        self.succeeded()
        return result

    def failed(self, exc: BaseException) -> None:
        """Roll back and forget the connection, log the start of an outage once, and wait the backoff."""
        reset_session()
        self.failures += 1
        if self._down_since is None:
            self._down_since = time.monotonic()
            reason = getattr(exc, "orig", None) or exc
            self.log.warning("%s: lost the database (%s: %s); reconnecting with backoff and carrying on",
                             self.what, type(reason).__name__, str(reason).strip().splitlines()[0] if str(reason)
                             else "")
        self.stop.wait(self.next_delay())

    def succeeded(self) -> None:
        if self._down_since is not None:
            self.log.warning("%s: the database is back after %.1f s", self.what,
                             time.monotonic() - self._down_since)
        self._down_since = None
        self.failures = 0


def reset_session() -> None:
    """Roll back the session's transaction and drop its connection, whatever state they are in."""
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection may fail even to roll back; removing it is enough
        log.debug("rollback on a broken connection failed", exc_info=True)
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001
        log.debug("closing a broken session failed", exc_info=True)
