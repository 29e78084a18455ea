"""`hti scheduler` as real processes: one runs, a second stands by and takes over; missed work is caught up."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest

from hti_comms import clock
from hti_comms.delivery.models import Send, SendStatus
from hti_comms.scheduling.models import SchedulerState
from tests.delivery.helpers import enqueue_people, sample_spec
from tests.processes import FlaskProcess, wait_until

pytestmark = pytest.mark.slow


def holder(db) -> str | None:
    db.session.rollback()
    state = db.session.get(SchedulerState, "main")
    return state.holder if state else None


def test_second_scheduler_stays_idle_until_the_first_stops(app, db, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    # Fell due three hours ago, while no scheduler ran.
    send_id = enqueue_people(1, sample_spec(scheduled_at=clock.now() + timedelta(hours=1)))
    db.session.get(Send, send_id).scheduled_at = clock.now() - timedelta(hours=3)
    db.session.commit()

    first = FlaskProcess(["hti", "scheduler"], url, tmp_path / "first.log")
    second = None
    try:
        first_holder = wait_until(lambda: holder(db), message="the first scheduler to take the lock")
        assert f":{first.process.pid}:" in first_holder
        wait_until(lambda: db.session.rollback() or db.session.get(Send, send_id).status is SendStatus.SENDING,
                   message="the missed send to start")

        second = FlaskProcess(["hti", "scheduler"], url, tmp_path / "second.log")
        wait_until(lambda: "En annan schemaläggare är igång" in second.output, message="the second to stand by")
        heartbeat = db.session.get(SchedulerState, "main").heartbeat_at
        wait_until(lambda: db.session.rollback() or db.session.get(SchedulerState, "main").heartbeat_at > heartbeat,
                   timeout=15, message="a newer heartbeat")
        assert holder(db) == first_holder
        assert "Schemaläggaren är igång" not in second.output

        assert first.stop() == 0
        assert "Schemaläggaren har stannat" in first.output
        second_holder = wait_until(lambda: (h := holder(db)) and f":{second.process.pid}:" in h and h,
                                   timeout=20, message="the second scheduler to take over")
        assert second_holder != first_holder
        wait_until(lambda: "Schemaläggaren är igång" in second.output, message="the second to say it runs")
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0
    assert holder(db) is None


def test_scheduler_survives_losing_the_database(app, db, tmp_path):
    from tests.delivery.test_worker_outages import cut_database_connections

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    scheduler = FlaskProcess(["hti", "scheduler"], url, tmp_path / "scheduler.log", SCHEDULER_STALE_SECONDS=60)
    try:
        first_holder = wait_until(lambda: holder(db), message="the scheduler to take the lock")
        for _round in range(2):
            assert cut_database_connections(app, db) >= 1
            cut_at = clock.now()
            time.sleep(1)
            assert scheduler.process.poll() is None, f"the scheduler died:\n{scheduler.output}"
            wait_until(lambda: db.session.rollback() or db.session.get(SchedulerState, "main").heartbeat_at > cut_at,
                       timeout=30, message="a heartbeat after the outage")
        assert holder(db) == first_holder  # it kept (or took back) its own lock; no second scheduler appeared
    finally:
        assert scheduler.stop() == 0, scheduler.output
    assert "Traceback" not in scheduler.output
