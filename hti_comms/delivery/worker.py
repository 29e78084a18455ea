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

import json
import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import Text, and_, bindparam, select, type_coerce, update

from .. import clock
from ..dbretry import Reconnector, Unavailable
from ..extensions import db
from . import gates
from .mime import build_skeleton
from .models import OutboxMessage, OutboxStatus, Send, SendStatus, Suppression
from .outbox import BUILD_FAILED, Attachment, describe_build_error
from .pool import BUILD_BROKEN, Claim, Job, PreparedSend, Result, SenderPool, WorkerSettings
from .render import render_template_pair
from .services import finish_sends, pause_for_problem, settle_expired_claims, start_due_sends, suppress
from .smtp import Outcome

log = logging.getLogger(__name__)
RECORD_EVERY = 200           # results per commit
RECORD_INTERVAL = 0.25       # seconds between commits while busy
IDLE_CLOSE_SECONDS = 30      # close SMTP connections after this long without mail
COLLECT_INTERVAL = 0.02      # seconds between collecting the senders' results
HOUSEKEEPING_SECONDS = 1.0   # at most this long between checks for stopped sends and crashed workers' rows
ID_CHUNK = 500               # ids per IN (…) list

OUTBOX = OutboxMessage.__table__
_CLAIMED_COLUMNS = (OUTBOX.c.id, OUTBOX.c.send_id, OUTBOX.c.email, OUTBOX.c.name,
                    type_coerce(OUTBOX.c.fields, Text).label("fields"), OUTBOX.c.attempts)
#: One statement per kind of outcome, executed for many rows at once (executemany).
_RECORD_OTHER = (update(OUTBOX).where(OUTBOX.c.id == bindparam("b_id"), OUTBOX.c.claim_token == bindparam("b_token"))
                 .values(status=bindparam("b_status"), retry_after=bindparam("b_retry_after"),
                         last_error=bindparam("b_error"), claim_token=None, lease_until=None))
_FAILED = object()


def _fields(value) -> dict:
    """Return a row's per-recipient fields; most rows have none, and their JSON is not parsed."""
    if isinstance(value, dict):
        return value
    return json.loads(value) if value and value != "{}" else {}


class Worker:
    """Claims due rows, feeds the pool and records outcomes; all database work happens in this thread."""

    def __init__(self, app: Flask, settings: WorkerSettings | None = None, reconnect: Reconnector | None = None):
        self.app = app
        self.settings = settings or WorkerSettings.from_config(app.config)
        #: When set, database errors are survived (roll back, reconnect, try the step again later).
        self.reconnect = reconnect
        self._prepared: OrderedDict[int, PreparedSend] = OrderedDict()
        self._claimed: dict[int, Job] = {}
        self._pool: SenderPool | None = None
        self._next_housekeeping = 0.0
        self._next_renewal = 0.0
        self._next_trouble = 0.0
        self.sent = 0

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

    @property
    def capacity(self) -> int:
        """Return the most rows this worker holds at once: the batch size, or what it can send in half a lease."""
        if self.settings.rate_per_second > 0:
            return max(1, min(self.settings.batch_size, int(self.settings.rate_per_second
                                                                * self.settings.lease_seconds / 2)))
        return self.settings.batch_size

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
            self._next_trouble = time.monotonic() + HOUSEKEEPING_SECONDS
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
        prepared = {send_id: self._prepare(send_id) for send_id in {row.send_id for row in rows}}
        broken = {send_id: error for send_id, error in prepared.items() if isinstance(error, str)}
        rows = self._drop_suppressed(rows, prepared)
        jobs = [Job(row.id, row.send_id, row.email, row.name, _fields(row.fields), row.attempts, prepared[row.send_id],
                    claim) for row in rows if row.send_id not in broken]
        if broken:
            self._fail_unbuildable(rows, broken, token)
        db.session.commit()
        self._claimed.update((job.outbox_id, job) for job in jobs)
        return jobs

    def _sendable_sends(self) -> list[int]:
        """Return the ids of running sends no gate holds back; keep the pool's set of stopped sends current."""
        if gates.has_gates():
            running = list(db.session.scalars(select(Send).where(Send.status == SendStatus.SENDING)))
            held = gates.held_back(running)
            active = {send.id for send in running}
            sendable = [send.id for send in running if send.id not in held]
        else:
            active = set(db.session.scalars(select(Send.id).where(Send.status == SendStatus.SENDING)))
            held = {}
            sendable = list(active)
        if self._pool is not None and self._pool.trips:
            sendable = [send_id for send_id in sendable if send_id not in self._pool.trips]
        if self._pool is not None:
            held_here = {job.send_id for job in self._claimed.values()}
            pool = self._pool
            # Staff paused or cancelled a send (or a gate closed): skip its rows this worker still holds.
            # A send the breaker tripped stays stopped until the pause is written and staff resume it.
            pool.stopped = {send_id for send_id in held_here | pool.stopped
                            if send_id not in active or send_id in held or send_id in pool.trips}
        return sendable

    def _drop_suppressed(self, rows, prepared: dict[int, PreparedSend | str]):
        list_sends = {send_id for send_id, send in prepared.items()
                      if isinstance(send, PreparedSend) and send.list_key is not None}
        if not list_sends:
            return rows
        emails = [r.email for r in rows if r.send_id in list_sends]
        suppressed = set(db.session.scalars(select(Suppression.email).where(Suppression.email.in_(emails))))
        if not suppressed:
            return rows
        blocked = {r.id for r in rows if r.send_id in list_sends and r.email in suppressed}
        db.session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(blocked))
                           .values(status=OutboxStatus.SUPPRESSED, claim_token=None, lease_until=None))
        return [r for r in rows if r.id not in blocked]

    def _prepare(self, send_id: int) -> PreparedSend | str:
        """Return the send rendered once, or a Swedish description of why it cannot be built."""
        prepared = self._prepared.get(send_id)
        if prepared is not None:
            self._prepared.move_to_end(send_id)
            return prepared
        send = db.session.get(Send, send_id)
        try:
            rendered = render_template_pair(send.template, send.context or {}, subject=send.subject,
                                            list_key=send.list_key)
            attachments = tuple(Attachment(a.filename, a.content_type, a.data, a.content_id)
                                for a in send.attachments)
            skeleton = build_skeleton(send_id=send.id, mail_from=self.app.config["MAIL_FROM"], subject=send.subject,
                                      list_key=send.list_key, list_name=(send.context or {}).get("list_name")
                                      or "Hemtjänstindex", attachments=attachments)
        except Exception as exc:  # noqa: BLE001 - one broken send must never stop the others
            log.exception("send %s cannot be built; pausing it", send_id)
            return describe_build_error(send.template, exc)
        prepared = PreparedSend(rendered=rendered, skeleton=skeleton, list_key=send.list_key, template=send.template)
        self._prepared[send_id] = prepared
        while len(self._prepared) > 32:
            self._prepared.popitem(last=False)
        return prepared

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
        for result in results:
            job, delivery = result.job, result.delivery
            outcome = delivery.outcome
            if outcome is Outcome.SENT:
                sent[job.claim.token].append(job.outbox_id)
            elif outcome is Outcome.NOT_SENT or (delivery.fault is not None and job.send_id in trips):
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
                db.session.execute(
                    update(OUTBOX).where(OUTBOX.c.id.in_(ids[start:start + ID_CHUNK]), OUTBOX.c.claim_token == token)
                    .values(status=OutboxStatus.SENT, sent_at=now, retry_after=None, last_error=None,
                            claim_token=None, lease_until=None))
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

    def housekeeping(self) -> None:
        """Renew leases when due, settle crashed workers' rows, and notice sends staff stopped."""
        now = time.monotonic()
        if self._claimed and now >= self._next_renewal:
            self.renew_leases()
            self._next_renewal = now + max(self.settings.lease_seconds / 3, 0.1)
        if now >= self._next_housekeeping:
            settle_expired_claims(self.settings.max_attempts)
            self._sendable_sends()
            db.session.commit()
            self._next_housekeeping = now + min(HOUSEKEEPING_SECONDS, self.settings.lease_seconds / 3)

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
        capacity = self.capacity
        # Claimed-but-unrecorded rows (outstanding + pending) never exceed the capacity: that is the most a
        # kill -9 can make us send twice.
        record_every = max(1, min(RECORD_EVERY, capacity // 2))
        try:
            while True:
                stopping = stop is not None and stop.is_set()
                if time.monotonic() >= min(self._next_housekeeping, self._next_renewal if self._claimed else 1e18):
                    self._step(self.housekeeping)
                room = capacity - outstanding - len(pending)
                if not stopping and room >= max(capacity // 2, 1) and (limit is None or handled < limit):
                    size = room if limit is None else min(room, limit - handled)
                    jobs = self._step(self.claim, size)
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
                from ..dbretry import reset_session

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


__all__ = ["BUILD_FAILED", "Worker", "deliver_due"]
