"""The send worker: claim due outbox rows, send them over a pool of persistent SMTP connections, record.

Crash safety: a row is claimed (status sending, a claim token, a lease until `lease_until`) and committed
before any byte is sent; its outcome is committed shortly after the server answers, and only while the row
still carries this worker's claim token. A worker killed in between leaves rows in `sending`; when their lease
runs out any worker claims them again (the attempt counts), so only those rows — the ones in flight at the
kill — can reach a recipient twice, with the same Message-ID both times.

A healthy worker never loses its rows: it renews the leases of the rows it holds while it works on them,
holds no more than it can send within one lease at its rate, and never starts a row whose lease may have run
out. Faults stay with their send: a send that cannot be built, or that the mail server refuses (the sender,
the login, the relay), is paused with the reason shown to staff while every other send goes on.
"""
from __future__ import annotations

import logging
import queue
import threading
import time

from flask import Flask, current_app

from ..dbretry import Reconnector, Unavailable, reset_session
from ..extensions import db
from .claims import OutboxClaims
from .pool import Result, SenderPool, WorkerSettings
from .services import finish_sends, settle_expired_claims, start_due_sends
from .smtp import Outcome

log = logging.getLogger(__name__)
RECORD_EVERY = 200           # results per commit
RECORD_INTERVAL = 0.25       # seconds between commits while busy
IDLE_CLOSE_SECONDS = 30      # close SMTP connections after this long without mail
COLLECT_INTERVAL = 0.02      # seconds between collecting the senders' results
#: After a claim found nothing due, wait this long before the next one while the senders are still busy: the
#: last rows of a send take a second or more to send, and a claim every collect interval would find nothing
#: (in the guards' queries and an UPDATE each time) some fifty times a second.
CLAIM_AGAIN_SECONDS = 0.1
SETTLE_SECONDS = 15.0        # at most this long between settling crashed workers' rows of stopped sends

_FAILED = object()


class Worker(OutboxClaims):
    """Claims due rows, feeds the pool and records outcomes; all database work happens in this thread."""

    def __init__(self, app: Flask, settings: WorkerSettings | None = None, reconnect: Reconnector | None = None):
        super().__init__(app, settings)
        #: When set, database errors are survived (roll back, reconnect, try the step again later).
        self.reconnect = reconnect
        self._next_settle = 0.0

    @property
    def pool(self) -> SenderPool:
        if self._pool is None:
            self._pool = SenderPool(self.app, self.settings)
        return self._pool

    def close(self) -> None:
        """Close the SMTP connections (QUIT) and stop their threads."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    # --- housekeeping -----------------------------------------------------------------------------------

    def housekeeping(self) -> None:
        """Renew leases when due, settle crashed workers' rows, and notice sends staff stopped."""
        now = time.monotonic()
        if self._claimed and now >= self._next_renewal:
            self.renew_leases()
            self._next_renewal = now + self._renew_every()
        if now >= self._next_settle:
            settle_expired_claims(self.settings.max_attempts)
            db.session.commit()
            self._next_settle = now + min(SETTLE_SECONDS, self.settings.lease_seconds)
        if now >= self._next_housekeeping:
            self._sendable_sends()  # puts off the next check (every claim reads the running sends too)
            db.session.commit()

    # --- loops ------------------------------------------------------------------------------------------

    def _step(self, work, *args):
        """Run one unit of database work; with a reconnector, return _FAILED instead of raising on an outage."""
        if self.reconnect is None:
            return work(*args)
        try:
            return self.reconnect.attempt(lambda: work(*args))
        except Unavailable:
            return _FAILED

    def drain(self, limit: int | None = None, stop: threading.Event | None = None,
              progress=None) -> int:
        """Send due rows until none is due (or `limit` rows were handled, or `stop` is set); return sent."""
        pool = self.pool
        handled = 0
        outstanding = 0
        pending: list[Result] = []
        last_record = time.monotonic()
        next_claim = 0.0
        capacity = self.capacity
        # Claimed-but-unrecorded rows (outstanding + pending) never exceed the capacity: that is the most a
        # kill -9 can make us send twice.
        record_every = max(1, min(RECORD_EVERY, capacity // 2))
        try:
            while True:
                stopping = stop is not None and stop.is_set()
                if time.monotonic() >= min(self._next_housekeeping, self._next_settle,
                                           self._next_renewal if self._claimed else float("inf")):
                    self._step(self.housekeeping)
                room = capacity - outstanding - len(pending)
                if not stopping and room >= max(capacity // 2, 1) and (limit is None or handled < limit) \
                        and (outstanding == 0 or time.monotonic() >= next_claim):
                    size = room if limit is None else min(room, limit - handled)
                    jobs = self._step(self.claim, size)
                    if not jobs:
                        next_claim = time.monotonic() + CLAIM_AGAIN_SECONDS
                    if jobs is not _FAILED:
                        for job in jobs:
                            pool.jobs.put(job)
                        outstanding += len(jobs)
                        handled += len(jobs)
                if outstanding == 0 and not pending:
                    break  # nothing due (or the database is away: the caller waits and tries again)
                if outstanding:
                    # Collect results in bulk: waking up for every single one costs the senders CPU time.
                    time.sleep(COLLECT_INTERVAL)
                    try:
                        while outstanding:
                            pending.append(pool.results.get_nowait())
                            outstanding -= 1
                    except queue.Empty:
                        pass
                if pending and (len(pending) >= record_every or outstanding == 0
                                or time.monotonic() - last_record >= RECORD_INTERVAL):
                    if self._step(self.record, pending) is not _FAILED:
                        if progress is not None:
                            progress(sum(r.delivery.outcome is not Outcome.NOT_SENT for r in pending))
                        pending = []
                    last_record = time.monotonic()
                if stopping:
                    outstanding -= self._take_back_queued(pool)
        except BaseException:
            # Something broke here (not in SMTP): stop the threads, then record whatever they finished.
            outstanding -= self._take_back_queued(pool)
            self.close()
            raise
        finally:
            self._finish_drain(pool, pending)
        return self.sent

    def _finish_drain(self, pool: SenderPool, pending: list[Result]) -> None:
        """Record what the senders finished and give back the rest, even after a database error."""
        while not pool.results.empty():
            pending.append(pool.results.get_nowait())
        for attempt in range(3 if self.reconnect is not None else 1):
            try:
                if pending:
                    self.record(pending)
                    pending.clear()
                self.release_unsent()
                return
            except Exception:  # noqa: BLE001 - the leases bring back whatever could not be written here
                reset_session()
                if attempt == 2 or self.reconnect is None:
                    log.warning("could not record %d outcomes; their leases bring the rows back", len(pending),
                                exc_info=self.reconnect is None)
                else:
                    self.reconnect.stop.wait(self.reconnect.next_delay())
        self._claimed.clear()

    @staticmethod
    def _take_back_queued(pool: SenderPool) -> int:
        """Take jobs no thread has started off the queue; they stay claimed until release_unsent()."""
        taken = 0
        while True:
            try:
                pool.jobs.get_nowait()
            except queue.Empty:
                return taken
            taken += 1

    def run_forever(self, stop: threading.Event) -> None:
        """Send due mail until `stop` is set; survive database outages; close idle SMTP connections."""
        self.reconnect = self.reconnect or Reconnector("send worker", stop)
        idle_since = time.monotonic()
        try:
            while not stop.is_set():
                before = self.sent
                self.drain(stop=stop)
                self._step(self._finish_sends)
                if self.sent != before:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > IDLE_CLOSE_SECONDS:
                    self.close()  # servers drop idle connections anyway; reopen on the next message
                stop.wait(self.settings.poll_seconds)
        finally:
            self.close()

    @staticmethod
    def _finish_sends() -> None:
        finish_sends()
        db.session.commit()


def deliver_due(limit: int | None = None) -> int:
    """Send every due outbox row now, in this process; return how many messages were sent."""
    start_due_sends()
    db.session.commit()
    worker = Worker(current_app._get_current_object())
    try:
        sent = worker.drain(limit=limit)
    finally:
        worker.close()
    finish_sends()
    db.session.commit()
    return sent


