"""The send worker: claim due outbox rows, send them over a pool of persistent SMTP connections, record.

Crash safety: a row is claimed (status sending, a lease until `lease_until`) and committed before any byte is
sent; its outcome is committed shortly after the server answers. A worker killed in between leaves rows in
`sending`; when their lease runs out any worker claims them again. Only those rows — the ones in flight at the
kill — can reach a recipient twice, and they carry the same Message-ID both times.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import and_, select, update
from sqlalchemy.exc import DBAPIError

from .. import clock
from ..extensions import db
from .mime import build_skeleton
from .models import OutboxMessage, OutboxStatus, Send, SendStatus, Suppression
from .outbox import Attachment
from .pool import Job, PreparedSend, Result, SenderPool, WorkerSettings
from .render import render_template_pair
from .services import finish_sends, start_due_sends, suppress
from .smtp import Outcome

log = logging.getLogger(__name__)
RECORD_EVERY = 200           # results per commit
RECORD_INTERVAL = 0.25       # seconds between commits while busy
IDLE_CLOSE_SECONDS = 30      # close SMTP connections after this long without mail
COLLECT_INTERVAL = 0.02      # seconds between collecting the senders' results


class Worker:
    """Claims due rows, feeds the pool and records outcomes; all database work happens in this thread."""

    def __init__(self, app: Flask, settings: WorkerSettings | None = None):
        self.app = app
        self.settings = settings or WorkerSettings.from_config(app.config)
        self._prepared: OrderedDict[int, PreparedSend] = OrderedDict()
        self._claimed: dict[int, Job] = {}
        self._pool: SenderPool | None = None
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

    # --- claiming ---------------------------------------------------------------------------------------

    def claim(self, limit: int) -> list[Job]:
        """Claim up to `limit` due rows for this worker and commit the claim before anything is sent."""
        now = clock.now()
        token = uuid.uuid4().hex
        active = select(Send.id).where(Send.status == SendStatus.SENDING)
        # Oldest trouble first: rows whose worker died (lease over), then retries that are due, then new rows.
        # Each is an index seek on (send_id, status); no ORDER BY, so a claim never sorts a 100k-row send.
        conditions = [
            and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
            and_(OutboxMessage.status == OutboxStatus.DEFERRED, OutboxMessage.retry_after <= now),
            OutboxMessage.status == OutboxStatus.QUEUED,
        ]
        claimed = 0
        for condition in conditions:
            if claimed >= limit:
                break
            due = select(OutboxMessage.id).where(OutboxMessage.send_id.in_(active), condition).limit(limit - claimed)
            if db.engine.dialect.name == "postgresql":
                # Two workers never claim the same row: locked rows are skipped, not waited for.
                due = due.with_for_update(skip_locked=True)
            # An UPDATE of the selected ids: on SQLite it holds the database write lock until the commit
            # below, so a second worker can never claim the same rows either.
            claimed += db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
                .values(status=OutboxStatus.SENDING, claim_token=token,
                        lease_until=now + timedelta(seconds=self.settings.lease_seconds),
                        attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
        db.session.commit()
        rows = db.session.execute(
            select(OutboxMessage.id, OutboxMessage.send_id, OutboxMessage.email, OutboxMessage.name,
                   OutboxMessage.fields, OutboxMessage.attempts, OutboxMessage.link_key)
            .where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
        ).all()
        rows = self._drop_suppressed(rows)
        jobs = [Job(outbox_id=r.id, email=r.email, name=r.name, fields=r.fields or {}, attempts=r.attempts,
                    prepared=self._prepare(r.send_id), link_key=r.link_key) for r in rows]
        self._claimed.update((job.outbox_id, job) for job in jobs)
        return jobs

    def _drop_suppressed(self, rows):
        list_sends = {r.send_id for r in rows if self._list_key(r.send_id) is not None}
        if not list_sends:
            return rows
        emails = [r.email for r in rows if r.send_id in list_sends]
        suppressed = set(db.session.scalars(select(Suppression.email).where(Suppression.email.in_(emails))))
        blocked = [r.id for r in rows if r.send_id in list_sends and r.email in suppressed]
        if blocked:
            db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(blocked))
                               .values(status=OutboxStatus.SUPPRESSED, claim_token=None, lease_until=None)
                               .execution_options(synchronize_session=False))
            db.session.commit()
        return [r for r in rows if r.id not in set(blocked)]

    def _list_key(self, send_id: int) -> str | None:
        return self._prepare(send_id).list_key

    def _prepare(self, send_id: int) -> PreparedSend:
        prepared = self._prepared.get(send_id)
        if prepared is not None:
            self._prepared.move_to_end(send_id)
            return prepared
        send = db.session.get(Send, send_id)
        rendered = render_template_pair(send.template, send.context or {}, subject=send.subject,
                                        list_key=send.list_key)
        attachments = tuple(Attachment(a.filename, a.content_type, a.data, a.content_id, a.is_personal)
                            for a in send.attachments)
        skeleton = build_skeleton(send_id=send.id, mail_from=self.app.config["MAIL_FROM"], subject=send.subject,
                                  list_key=send.list_key, list_name=(send.context or {}).get("list_name")
                                  or "Hemtjänstindex", attachments=attachments,
                                  reply_to=self.app.config["MAIL_REPLY_TO"])
        prepared = PreparedSend(rendered=rendered, skeleton=skeleton, list_key=send.list_key)
        self._prepared[send_id] = prepared
        while len(self._prepared) > 32:
            self._prepared.popitem(last=False)
        return prepared

    # --- recording --------------------------------------------------------------------------------------

    def record(self, results: list[Result]) -> None:
        """Write the outcomes of sent messages in one transaction."""
        if not results:
            return
        now = clock.now()
        sent_ids = []
        other_updates = []
        for result in results:
            self._claimed.pop(result.job.outbox_id, None)
            if result.delivery.outcome is Outcome.SENT:
                sent_ids.append(result.job.outbox_id)
            else:
                other_updates.append(self._row_update(result, now))
            if result.delivery.is_hard_bounce:
                suppress(result.job.email, "hard_bounce", result.delivery.error)
        if sent_ids:
            # Nearly every row is a success: one statement for all of them.
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids))
                .values(status=OutboxStatus.SENT, sent_at=now, retry_after=None, last_error=None, claim_token=None,
                        lease_until=None)
                .execution_options(synchronize_session=False))
        if other_updates:
            db.session.execute(update(OutboxMessage), other_updates)
        db.session.commit()
        self.sent += len(sent_ids)

    def _row_update(self, result: Result, now) -> dict:
        delivery = result.delivery
        row = {"id": result.job.outbox_id, "claim_token": None, "lease_until": None, "last_error": delivery.error}
        if delivery.outcome is Outcome.DEFERRED and result.job.attempts < self.settings.max_attempts:
            delay = min(self.settings.retry_base_seconds * 2 ** (result.job.attempts - 1),
                        self.settings.retry_max_seconds)
            row.update(status=OutboxStatus.DEFERRED, retry_after=now + timedelta(seconds=delay))
        elif delivery.outcome is Outcome.DEFERRED:
            row.update(status=OutboxStatus.FAILED, retry_after=None,
                       last_error=f"Gav upp efter {result.job.attempts} försök: {delivery.error}")
        elif delivery.outcome is Outcome.UNKNOWN:
            row.update(status=OutboxStatus.UNKNOWN, retry_after=None)
        else:
            row.update(status=OutboxStatus.FAILED, retry_after=None)
        return row

    def release_unsent(self) -> None:
        """Give rows claimed but never handed to SMTP back to the queue (on a clean stop)."""
        ids = list(self._claimed)
        self._claimed.clear()
        if ids:
            db.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.SENDING)
                .values(status=OutboxStatus.QUEUED, claim_token=None, lease_until=None,
                        attempts=OutboxMessage.attempts - 1)
                .execution_options(synchronize_session=False))
            db.session.commit()

    # --- loops ------------------------------------------------------------------------------------------

    def drain(self, limit: int | None = None, stop: threading.Event | None = None,
              progress=None) -> int:
        """Send due rows until none is due (or `limit` rows were handled, or `stop` is set); return sent."""
        pool = self.pool
        handled = 0
        outstanding = 0
        pending: list[Result] = []
        last_record = time.monotonic()
        # Claimed-but-unrecorded rows (outstanding + pending) never exceed batch_size: that is the most a
        # kill -9 can make us send twice.
        record_every = max(1, min(RECORD_EVERY, self.settings.batch_size // 2))
        try:
            while True:
                stopping = stop is not None and stop.is_set()
                room = self.settings.batch_size - outstanding - len(pending)
                if not stopping and room >= self.settings.batch_size // 2 and (limit is None or handled < limit):
                    size = room if limit is None else min(room, limit - handled)
                    jobs = self.claim(size)
                    for job in jobs:
                        pool.jobs.put(job)
                    outstanding += len(jobs)
                    handled += len(jobs)
                if outstanding == 0 and not pending:
                    break
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
                    if progress is not None:
                        progress(len(pending))
                    self.record(pending)
                    pending = []
                    last_record = time.monotonic()
                if stopping:
                    outstanding -= self._take_back_queued(pool)
        except BaseException:
            # Something broke here (not in SMTP): stop the threads, then record whatever they finished.
            self._take_back_queued(pool)
            self.close()
            raise
        finally:
            while not pool.results.empty():
                pending.append(pool.results.get_nowait())
            self.record(pending)
            self.release_unsent()
        return self.sent

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
        """Send due mail until `stop` is set; survive database hiccups; close idle SMTP connections."""
        idle_since = time.monotonic()
        try:
            while not stop.is_set():
                before = self.sent
                try:
                    self.drain(stop=stop)
                    finish_sends()
                    db.session.commit()
                except DBAPIError as exc:
                    db.session.rollback()
                    log.warning("database busy or unreachable, trying again: %s", exc.orig)
                if self.sent != before:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since > IDLE_CLOSE_SECONDS:
                    self.close()  # servers drop idle connections anyway; reopen on the next message
                stop.wait(self.settings.poll_seconds)
        finally:
            self.close()


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
