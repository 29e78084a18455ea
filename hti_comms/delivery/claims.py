"""The database side of the send worker: claim due rows, record outcomes, renew and give back leases.

Every statement here is one round trip for many rows: a claim is an `UPDATE … RETURNING` per kind of row, the
sent rows of a batch are one `UPDATE … WHERE id IN (…)`, the other outcomes one executemany. Outcomes, renewals
and releases only touch rows that still carry this worker's claim token.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict
from datetime import timedelta

from flask import Flask
from sqlalchemy import Text, and_, bindparam, select, type_coerce, update

from .. import clock
from ..extensions import db
from . import gates
from .models import OutboxMessage, OutboxStatus, Send, SendStatus
from .pool import BUILD_BROKEN, Claim, Job, Result, SenderPool, WorkerSettings
from .preparing import PreparedSends
from .screening import drop_refused, drop_suppressed
from .sendview import views_where
from .services import pause_for_problem, suppress
from .smtp import Outcome

log = logging.getLogger("hti_comms.delivery.worker")
TROUBLE_SECONDS = 1.0        # at most this long between looking for expired claims and due retries
ID_CHUNK = 500               # ids per IN (…) list
HOUSEKEEPING_SECONDS = 1.0   # at most this long between checks for sends staff stopped (a claim checks too)

OUTBOX = OutboxMessage.__table__
_CLAIMED_COLUMNS = (OUTBOX.c.id, OUTBOX.c.send_id, OUTBOX.c.email, OUTBOX.c.name,
                    type_coerce(OUTBOX.c.fields, Text).label("fields"), OUTBOX.c.attempts, OUTBOX.c.link_key,
                    OUTBOX.c.contact_id)
#: The sent rows of a batch that still carry the claim's token: one statement for up to ID_CHUNK ids, built once
#: (an IN list of literals is coerced and compiled value by value at every call).
_RECORD_SENT = (update(OUTBOX).where(OUTBOX.c.id.in_(bindparam("b_ids", expanding=True)),
                                     OUTBOX.c.claim_token == bindparam("b_token"))
                .values(status=OutboxStatus.SENT, sent_at=bindparam("b_now"), retry_after=None, last_error=None,
                        claim_token=None, lease_until=None))
#: One statement per kind of outcome, executed for many rows at once (executemany).
_RECORD_OTHER = (update(OUTBOX).where(OUTBOX.c.id == bindparam("b_id"), OUTBOX.c.claim_token == bindparam("b_token"))
                 .values(status=bindparam("b_status"), retry_after=bindparam("b_retry_after"),
                         last_error=bindparam("b_error"), claim_token=None, lease_until=None))


def _fields(value) -> dict:
    """Return a row's per-recipient fields; most rows have none, and their JSON is not parsed."""
    if not value or value == "{}":
        return {}
    return value if isinstance(value, dict) else json.loads(value)


class OutboxClaims:
    """The rows one worker holds, and every database statement about them (run in the worker's thread)."""

    def __init__(self, app: Flask, settings: WorkerSettings | None = None):
        self.app = app
        self.settings = settings or WorkerSettings.from_config(app.config)
        self._prepared = PreparedSends(app)
        self._claimed: dict[int, Job] = {}
        self._pool: SenderPool | None = None
        #: The running sends as the last claim read them ({id: SendView}; empty when no release guard exists).
        self._views: dict = {}
        self._next_renewal = 0.0
        self._next_trouble = 0.0
        #: When the worker's housekeeping next reads the running sends (a claim's reading puts it off).
        self._next_housekeeping = 0.0
        self.sent = 0

    @property
    def capacity(self) -> int:
        """Return the most rows this worker holds at once: the batch size, or what it can send in half a lease."""
        if self.settings.rate_per_second > 0:
            return max(1, min(self.settings.batch_size, int(self.settings.rate_per_second
                                                                * self.settings.lease_seconds / 2)))
        return self.settings.batch_size

    def _renew_every(self) -> float:
        return max(self.settings.lease_seconds / 3, 0.1)

    def _lease_margin(self) -> float:
        # Stop starting rows a little before the database lease ends (other workers' clocks drift too).
        return min(self.settings.lease_seconds * 0.2, 10.0)

    # --- claiming ---------------------------------------------------------------------------------------

    def claim(self, limit: int) -> list[Job]:
        """Claim up to `limit` due rows for this worker and commit the claim before anything is sent."""
        now = clock.now()
        token = uuid.uuid4().hex
        sends = self._sendable_sends()
        if not sends:
            return []
        lease_until = now + timedelta(seconds=self.settings.lease_seconds)
        claim = Claim(token, time.monotonic() + self.settings.lease_seconds - self._lease_margin())
        in_sends = OUTBOX.c.send_id.in_(sends)
        # Oldest trouble first: rows whose worker died (lease over), then retries that are due, then new rows.
        # Each is an index seek on (send_id, status); no ORDER BY, so a claim never sorts a 100k-row send.
        conditions = [OUTBOX.c.status == OutboxStatus.QUEUED]
        if time.monotonic() >= self._next_trouble:
            self._next_trouble = time.monotonic() + TROUBLE_SECONDS
            conditions[:0] = [
                and_(OUTBOX.c.status == OutboxStatus.SENDING, OUTBOX.c.lease_until < now,
                     OUTBOX.c.attempts < self.settings.max_attempts),
                and_(OUTBOX.c.status == OutboxStatus.DEFERRED, OUTBOX.c.retry_after <= now),
            ]
        rows = []
        for condition in conditions:
            if len(rows) >= limit:
                break
            due = select(OUTBOX.c.id).where(in_sends, condition).limit(limit - len(rows))
            if db.engine.dialect.name == "postgresql":
                # Two workers never claim the same row: locked rows are skipped, not waited for.
                due = due.with_for_update(skip_locked=True)
            # An UPDATE of the selected ids, returning what the senders need: one round trip. On SQLite it
            # holds the database write lock until the commit below, so a second worker cannot claim them either.
            rows += db.session.execute(
                update(OUTBOX).where(OUTBOX.c.id.in_(due.scalar_subquery()))
                .values(status=OutboxStatus.SENDING, claim_token=token, lease_until=lease_until,
                        attempts=OUTBOX.c.attempts + 1)
                .returning(*_CLAIMED_COLUMNS)
            ).all()
        if not rows:
            db.session.commit()
            return []
        prepared = self._prepared.of({row.send_id for row in rows})
        broken = {send_id: error for send_id, error in prepared.items() if isinstance(error, str)}
        rows = drop_suppressed(rows, prepared, token)
        rows = drop_refused(rows, broken, self._views)
        # Unpacked as tuples (in the order of _CLAIMED_COLUMNS): a Row's attributes cost more than the Job itself.
        jobs = [Job(row_id, send_id, email, name, _fields(fields), attempts, prepared[send_id], claim, link_key)
                for row_id, send_id, email, name, fields, attempts, link_key, _contact_id in rows
                if send_id not in broken]
        if broken:
            self._fail_unbuildable(rows, broken, token)
        db.session.commit()
        if jobs and not self._claimed:
            # The oldest lease this worker holds starts now: renew it before a third of it has passed.
            self._next_renewal = time.monotonic() + self._renew_every()
        self._claimed.update((job.outbox_id, job) for job in jobs)
        return jobs

    def _sendable_sends(self) -> list[int]:
        """Return the ids of running sends no gate holds back; keep the pool's set of stopped sends current."""
        if gates.has_gates():
            # Views (no bodies): every running send is read at every claim, and the guards judge them together.
            running = views_where(Send.status == SendStatus.SENDING)
            held = gates.held_back(running)
            active = {send.id for send in running}
            sendable = [send.id for send in running if send.id not in held]
            self._views = {send.id: send for send in running}
        else:
            active = set(db.session.scalars(select(Send.id).where(Send.status == SendStatus.SENDING)))
            held = {}
            sendable = list(active)
            self._views = {}
        if self._pool is not None and self._pool.trips:
            sendable = [send_id for send_id in sendable if send_id not in self._pool.trips]
        if self._pool is not None:
            held_here = {job.send_id for job in self._claimed.values()}
            pool = self._pool
            # Staff paused or cancelled a send (or a gate closed): skip its rows this worker still holds.
            # A send the breaker tripped stays stopped until the pause is written and staff resume it.
            pool.stopped = {send_id for send_id in held_here | pool.stopped
                            if send_id not in active or send_id in held or send_id in pool.trips}
        # This reading is the housekeeping's too: its next one is due a whole interval from now, not from its last.
        self._next_housekeeping = time.monotonic() + min(HOUSEKEEPING_SECONDS, self.settings.lease_seconds / 3)
        return sendable

    def _fail_unbuildable(self, rows, broken: dict[int, str], token: str) -> None:
        """Fail the claimed rows of sends that cannot be built, and pause those sends with the reason."""
        for send_id, error in broken.items():
            ids = [r.id for r in rows if r.send_id == send_id]
            for start in range(0, len(ids), ID_CHUNK):
                db.session.execute(
                    update(OUTBOX).where(OUTBOX.c.id.in_(ids[start:start + ID_CHUNK]), OUTBOX.c.claim_token == token)
                    .values(status=OutboxStatus.FAILED, last_error=error, claim_token=None, lease_until=None,
                            retry_after=None))
            pause_for_problem(send_id, BUILD_BROKEN.format(error=error))

    # --- recording --------------------------------------------------------------------------------------

    def record(self, results: list[Result]) -> None:
        """Write the outcomes (in bulk, only where this worker's claim still holds) and commit."""
        now = clock.now()
        sent: dict[str, list[int]] = defaultdict(list)
        released: dict[tuple[str, str | None], list[int]] = defaultdict(list)
        others = []
        trips = dict(self._pool.trips) if self._pool is not None else {}
        # A tripped send stays stopped until staff resume it, while the trip itself is handed over (below) at the
        # first record after it: the results of its other rows, in flight on other connections when it tripped,
        # may come in a later batch, and they wait too.
        stopped = (self._pool.stopped | trips.keys()) if self._pool is not None else set()
        for result in results:
            job, delivery = result.job, result.delivery
            outcome = delivery.outcome
            if outcome is Outcome.SENT:
                sent[job.claim.token].append(job.outbox_id)
            elif outcome is Outcome.NOT_SENT or (delivery.fault is not None and job.send_id in stopped):
                # Never reached the server, or refused for a reason that is not the recipient's: the row waits,
                # and this attempt does not count.
                released[job.claim.token, delivery.error].append(job.outbox_id)
            else:
                others.append(self._row_update(result, now))
                if delivery.is_hard_bounce:
                    suppress(job.email, "hard_bounce", delivery.error)
        for send_id, reason in trips.items():
            if pause_for_problem(send_id, reason):
                log.warning("send %s paused: %s", send_id, reason)
        for token, ids in sent.items():
            for start in range(0, len(ids), ID_CHUNK):
                db.session.execute(_RECORD_SENT, {"b_ids": ids[start:start + ID_CHUNK], "b_token": token, "b_now": now})
        if others:
            db.session.execute(_RECORD_OTHER, others)
        for (token, error), ids in released.items():
            self._release(ids, token, error)
        db.session.commit()
        if self._pool is not None:
            for send_id in trips:
                self._pool.trips.pop(send_id, None)
        for result in results:
            self._claimed.pop(result.job.outbox_id, None)
        self.sent += sum(len(ids) for ids in sent.values())

    def _row_update(self, result: Result, now) -> dict:
        delivery, job = result.delivery, result.job
        row = {"b_id": job.outbox_id, "b_token": job.claim.token, "b_error": delivery.error, "b_retry_after": None}
        if delivery.outcome is Outcome.DEFERRED and job.attempts < self.settings.max_attempts:
            delay = min(self.settings.retry_base_seconds * 2 ** (job.attempts - 1), self.settings.retry_max_seconds)
            row.update(b_status=OutboxStatus.DEFERRED, b_retry_after=now + timedelta(seconds=delay))
        elif delivery.outcome is Outcome.DEFERRED:
            row.update(b_status=OutboxStatus.FAILED,
                       b_error=f"Gav upp efter {job.attempts} försök: {delivery.error}")
        elif delivery.outcome is Outcome.UNKNOWN:
            row.update(b_status=OutboxStatus.UNKNOWN)
        else:
            # 5xx, and internal errors: retrying cannot help until someone changes something.
            row.update(b_status=OutboxStatus.FAILED)
        return row

    def _release(self, ids: list[int], token: str, error: str | None = None) -> None:
        """Put rows this worker holds but did not send back in the queue (cancelled if their send was)."""
        requeue = {"status": OutboxStatus.QUEUED, "claim_token": None, "lease_until": None,
                   "attempts": OUTBOX.c.attempts - 1}
        if error is not None:
            requeue["last_error"] = error
        cancelled = select(Send.id).where(Send.status == SendStatus.CANCELLED)
        for start in range(0, len(ids), ID_CHUNK):
            chunk = OUTBOX.c.id.in_(ids[start:start + ID_CHUNK])
            mine = and_(chunk, OUTBOX.c.claim_token == token, OUTBOX.c.status == OutboxStatus.SENDING)
            db.session.execute(update(OUTBOX).where(mine, OUTBOX.c.send_id.in_(cancelled))
                               .values(status=OutboxStatus.CANCELLED, claim_token=None, lease_until=None))
            db.session.execute(update(OUTBOX).where(mine).values(**requeue))

    def release_unsent(self) -> None:
        """Give rows claimed but never handed to SMTP back to the queue (on a clean stop)."""
        if not self._claimed:
            return
        by_token: dict[str, list[int]] = defaultdict(list)
        for job in self._claimed.values():
            by_token[job.claim.token].append(job.outbox_id)
        for token, ids in by_token.items():
            self._release(ids, token)
        db.session.commit()
        self._claimed.clear()

    # --- housekeeping -----------------------------------------------------------------------------------

    def renew_leases(self) -> None:
        """Extend the lease of every row this worker still holds, so no other worker takes it meanwhile."""
        started = time.monotonic()
        lease_until = clock.now() + timedelta(seconds=self.settings.lease_seconds)
        by_token: dict[str, list[int]] = defaultdict(list)
        claims = {}
        for job in list(self._claimed.values()):
            by_token[job.claim.token].append(job.outbox_id)
            claims[job.claim.token] = job.claim
        for token, ids in by_token.items():
            for start in range(0, len(ids), ID_CHUNK):
                db.session.execute(
                    update(OUTBOX).where(OUTBOX.c.id.in_(ids[start:start + ID_CHUNK]), OUTBOX.c.claim_token == token,
                                         OUTBOX.c.status == OutboxStatus.SENDING)
                    .values(lease_until=lease_until))
        db.session.commit()
        deadline = started + self.settings.lease_seconds - self._lease_margin()
        for claim in claims.values():
            claim.deadline = max(claim.deadline, deadline)
