"""Send workers as real processes when the database goes away or a worker is killed and its send stopped."""
from __future__ import annotations

import sqlite3
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from hti_comms.dbretry import reset_session
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.services import cancel_send, pause_send, resume_send
from tests.processes import wait_until

from .helpers import enqueue_people
from .test_worker_processes import count, worker

pytestmark = pytest.mark.slow


def received(sink) -> Counter:
    return Counter(to for _from, (to,) in sink.envelopes)


def cut_database_connections(app, db) -> int:
    """Take the database away from every other process for a moment, as a failover or restart does.

    PostgreSQL: terminate every other backend of the test database. SQLite: hold the write lock for longer
    than the busy timeout, so every writer gets "database is locked".
    """
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                return connection.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        finally:
            engine.dispose()
            reset_session()  # this test's own connections were cut as well
            db.engine.dispose()
    connection = sqlite3.connect(url.database, timeout=10)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        time.sleep(7)  # longer than the 5 s busy timeout of the worker's connections
        connection.rollback()
    finally:
        connection.close()
    return 1


def test_worker_survives_losing_the_database_mid_send(app, db, tmp_path, slow_sink):
    total = 400
    enqueue_people(total)
    process = worker(app, tmp_path, slow_sink, "worker", SEND_LEASE_SECONDS=3)
    try:
        for round_ in range(3):
            wait_until(lambda r=round_: len(slow_sink.raw_messages) >= 60 * (r + 1), timeout=60,
                       message="messages before the outage")
            assert cut_database_connections(app, db) >= 1
            time.sleep(1.5)
            assert process.process.poll() is None, f"the worker died:\n{process.output}"
        wait_until(lambda: count(db, OutboxStatus.SENT) == total, timeout=120, message="every row sent")
        assert process.process.poll() is None, process.output
    finally:
        assert process.stop() == 0, process.output
    counts = received(slow_sink)
    assert len(counts) == total                      # nobody lost
    # Only what was in flight at an outage can go twice (its outcome could not be written in time).
    assert sum(counts.values()) - total <= 3 * 20
    assert count(db, OutboxStatus.SENDING) == 0
    log = process.output
    # A statement cut off mid-transaction gives one line when the outage starts and one when it is over (a
    # connection cut between transactions is replaced silently by the pool's pre-ping).
    assert log.count("send worker: lost the database") == log.count("send worker: the database is back")
    assert "Traceback" not in log


def test_cancel_after_a_kill_settles_every_row_of_the_send(app, db, tmp_path, slow_sink):
    total = 300
    send_id = enqueue_people(total)
    first = worker(app, tmp_path, slow_sink, "first")
    wait_until(lambda: len(slow_sink.raw_messages) >= 40, message="the first messages")
    first.kill9()
    stranded = count(db, OutboxStatus.SENDING)
    assert stranded > 0, "the kill came too late to test anything"
    cancel_send(send_id)
    received_at_cancel = len(slow_sink.raw_messages)

    second = worker(app, tmp_path, slow_sink, "second")  # any healthy worker settles what the dead one held
    try:
        wait_until(lambda: count(db, OutboxStatus.SENDING) == 0, timeout=30, message="no row left in flight")
    finally:
        assert second.stop() == 0, second.output
    db.session.expire_all()
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    assert set(counts) <= {OutboxStatus.SENT, OutboxStatus.CANCELLED}
    assert sum(counts.values()) == total
    assert len(slow_sink.raw_messages) == received_at_cancel  # nothing was sent after the cancel
    assert db.session.get(Send, send_id).status is SendStatus.CANCELLED


def test_pause_after_a_kill_puts_the_dead_workers_rows_back_and_resume_sends_them(app, db, tmp_path,
                                                                                 slow_sink):
    total = 300
    send_id = enqueue_people(total)
    first = worker(app, tmp_path, slow_sink, "first")
    wait_until(lambda: len(slow_sink.raw_messages) >= 40, message="the first messages")
    first.kill9()
    in_flight = count(db, OutboxStatus.SENDING)
    pause_send(send_id)
    second = worker(app, tmp_path, slow_sink, "second")
    try:
        wait_until(lambda: count(db, OutboxStatus.SENDING) == 0, timeout=30, message="the claims settled")
        db.session.expire_all()
        assert db.session.get(Send, send_id).status is SendStatus.PAUSED
        resume_send(send_id)
        wait_until(lambda: count(db, OutboxStatus.SENT) == total, timeout=60, message="every row sent")
    finally:
        assert second.stop() == 0, second.output
    counts = received(slow_sink)
    assert len(counts) == total
    assert sum(counts.values()) - total <= in_flight
