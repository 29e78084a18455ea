"""The send worker as a real process: kill -9 mid-send loses nothing, two workers never double-send."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from hti_comms.delivery.models import OutboxMessage, OutboxStatus
from tests.processes import FlaskProcess, wait_until

from .helpers import enqueue_people

pytestmark = pytest.mark.slow


def count(db, status: OutboxStatus) -> int:
    db.session.rollback()  # see the other process's commits
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status))


def worker(app, tmp_path, sink, name: str, **env) -> FlaskProcess:
    settings = dict(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, SMTP_POOL_SIZE=2, SEND_BATCH_SIZE=20,
                    SEND_LEASE_SECONDS=1)
    settings.update(env)
    return FlaskProcess(["hti", "send-worker"], app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / f"{name}.log",
                        **settings)


def test_kill_9_mid_send_loses_nothing_and_duplicates_only_in_flight(app, db, tmp_path, slow_sink):
    total = 300
    enqueue_people(total)
    first = worker(app, tmp_path, slow_sink, "first")
    wait_until(lambda: len(slow_sink.raw_messages) >= 60, message="the first messages")
    first.kill9()
    in_flight = count(db, OutboxStatus.SENDING)
    received_at_kill = len(slow_sink.raw_messages)
    assert received_at_kill < total, "the kill came too late to test anything"

    second = worker(app, tmp_path, slow_sink, "second")
    try:
        wait_until(lambda: count(db, OutboxStatus.SENT) == total, timeout=60, message="every row sent")
    finally:
        assert second.stop() == 0, second.output
    received = Counter(to for _from, (to,) in slow_sink.envelopes)
    assert len(received) == total                       # nobody lost
    duplicates = sum(received.values()) - total
    assert duplicates <= in_flight <= 20                # at most what was in flight at the kill
    assert count(db, OutboxStatus.SENDING) == 0


def test_two_workers_never_send_the_same_row_twice(app, db, tmp_path, slow_sink):
    total = 400
    enqueue_people(total)
    workers = [worker(app, tmp_path, slow_sink, f"worker{n}", SEND_LEASE_SECONDS=300) for n in range(2)]
    try:
        wait_until(lambda: count(db, OutboxStatus.SENT) == total, timeout=90, message="every row sent")
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0], [w.output for w in workers]
    received = Counter(to for _from, (to,) in slow_sink.envelopes)
    assert len(received) == total and set(received.values()) == {1}
    assert "Traceback" not in workers[0].output + workers[1].output
