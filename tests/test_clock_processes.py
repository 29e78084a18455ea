"""Processes whose own clocks disagree with the database's, as real subprocesses on PostgreSQL: a web server 5 s
fast never shows a year before its publication, a scheduler and a send worker 15 s fast release nothing early,
neither at the embargo release (T − 24 h) nor at the publication (T)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from hti_comms import clock
from hti_comms.delivery.sink import MemorySink, StoringHandler
from hti_comms.publication.moments import set_publication
from tests.briefs.factories import store_year
from tests.processes import PROJECT_ROOT, FlaskProcess, wait_until
from tests.publication.helpers import staff_order

pytestmark = pytest.mark.slow

#: Room for this test's own readings of the database's time around each answer (a process that counts on the
#: database's time is never early; one going by its own clock would be 5 or 15 s early).
TOLERANCE = timedelta(seconds=0.2)


def database_time(db) -> datetime:
    """The database server's time, read here directly (not through the clock under test)."""
    db.session.rollback()
    return clock.as_utc(db.session.scalar(text("SELECT clock_timestamp()")))


@pytest.fixture
def postgresql(app, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: the database is a file on this machine, so every process reads the same clock")
    clock.reset()
    return app.config["SQLALCHEMY_DATABASE_URI"]


class Gunicorn:
    """`gunicorn app:app` with one worker on a free port of 127.0.0.1; output to a file."""

    def __init__(self, database_url: str, log_path, **env):
        environment = dict(os.environ, HTI_ENV="test", DATABASE_URL=database_url, PYTHONUNBUFFERED="1",
                           BASE_URL="https://hti.example.se", RATELIMIT_ENABLED="false")
        environment.update({key: str(value) for key, value in env.items()})
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0", "--no-control-socket",
             "app:app"], cwd=PROJECT_ROOT, env=environment, stdout=self._log, stderr=subprocess.STDOUT)
        found = wait_until(lambda: re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_text()),
                           message="gunicorn to listen")
        self.base = f"http://127.0.0.1:{found.group(1)}"

    @property
    def output(self) -> str:
        return self.log_path.read_text()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return response.status, response.headers.get("Cache-Control", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Cache-Control", "")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        finally:
            self._log.close()


def test_a_web_server_5_s_fast_never_shows_a_year_before_its_publication(postgresql, db, tmp_path):
    store_year(2025, {"0114": "60.0", "0115": "70.0", "0117": "65.0"})
    store_year(2026, {"0114": "72.5", "0115": "68.3", "0117": "65.0"})
    set_publication(2025, database_time(db) - timedelta(days=300), actor="test")
    db.session.commit()
    server = Gunicorn(postgresql, tmp_path / "web.log", HTI_CLOCK_SKEW_SECONDS=5)
    answers = []
    try:
        assert server.get("/resultat/2025")[0] == 200  # up, and publishing what is public
        published_at = database_time(db) + timedelta(seconds=8)
        set_publication(2026, published_at, actor="test")
        db.session.commit()
        paths = ("/resultat/2026", "/resultat/2026/0114", "/api/resultat/2026.json")

        def every_page_answered_after_the_publication() -> bool:
            for path in paths:
                before = database_time(db)
                status, cache_control = server.get(path)
                answers.append((path, before, database_time(db), status, cache_control))
            return all(any(a[0] == path and a[1] >= published_at and a[3] == 200 for a in answers) for path in paths)

        wait_until(every_page_answered_after_the_publication, timeout=60, interval=0.05,
                   message="the year to be published")
    finally:
        server.stop()
    early = [a for a in answers if a[3] == 200 and a[2] < published_at - TOLERANCE]
    assert not early, f"{len(early)} answers of 200 before the publication, the first: {early[0]}"
    assert all(a[4] == "no-store" for a in answers if a[2] < published_at)
    # The server was asked in the seconds when its own clock said the year was public, and said no.
    assert any(a[3] == 404 and a[1] >= published_at - timedelta(seconds=4.5) for a in answers)
    assert "5.0 s ahead of the database server's" in server.output


def arrivals_sink():
    """A sink that notes when each message arrives (by this process's own clock, which is the database's)."""
    arrived: list[tuple[datetime, str, str]] = []
    sink = MemorySink()

    def store(mail_from, rcpt_tos, raw):
        from hti_comms.delivery.sink import parse

        arrived.append((datetime.now(timezone.utc), rcpt_tos[0], str(parse(raw)["Subject"])))
        sink.store(mail_from, rcpt_tos, raw)

    sink.start(handler=StoringHandler(store))
    return sink, arrived


def test_a_scheduler_and_worker_15_s_fast_release_nothing_early(postgresql, db, tmp_path):
    store_year(2025, {"0114": "60.0", "0115": "70.0", "0117": "65.0"})
    store_year(2026, {"0114": "72.5", "0115": "68.3", "0117": "65.0"})
    staff_order("0114", "tidig@vasby.example.se", year=2025)
    staff_order("0115", "sen@habo.example.se", year=2026)
    db.session.commit()
    # This process's own clock is the database's (the same machine, no skew): checked, not assumed.
    before = datetime.now(timezone.utc)
    read = database_time(db)
    assert before - TOLERANCE <= read <= datetime.now(timezone.utc) + TOLERANCE

    sink, arrived = arrivals_sink()

    def summary_2026() -> list[datetime]:
        return [at for at, to, subject in arrived if to == "sen@habo.example.se" and subject.startswith("EMBARGO")]

    def access_2025() -> list[datetime]:
        return [at for at, to, subject in arrived if to == "tidig@vasby.example.se" and "publicerat" in subject]

    skewed = {"HTI_CLOCK_SKEW_SECONDS": 15}
    worker = FlaskProcess(["hti", "send-worker"], postgresql, tmp_path / "worker.log", SMTP_HOST="127.0.0.1",
                          SMTP_PORT=sink.port, SMTP_POOL_SIZE=1, **skewed)
    scheduler = FlaskProcess(["hti", "scheduler"], postgresql, tmp_path / "scheduler.log", **skewed)
    try:
        wait_until(lambda: "Utskicksprocessen är igång" in worker.output, message="the worker to start")
        wait_until(lambda: "Schemaläggaren är igång" in scheduler.output, message="the scheduler to start")
        now = database_time(db)
        release_2026 = now + timedelta(seconds=12)           # 2026: its embargo release (T − 24 h) is near
        set_publication(2026, release_2026 + timedelta(hours=24), actor="test")
        published_2025 = now + timedelta(seconds=18)         # 2025: its publication (T) is near
        set_publication(2025, published_2025, actor="test")
        db.session.commit()
        wait_until(lambda: summary_2026() and access_2025(), timeout=90,
                   message="2026's embargoed summary and 2025's access email")
    finally:
        assert worker.stop() == 0, worker.output
        assert scheduler.stop() == 0, scheduler.output
        sink.stop()
    assert len(summary_2026()) == 1 and len(access_2025()) == 1, arrived
    (summary_at,), (access_at,) = summary_2026(), access_2025()
    assert summary_at >= release_2026 - TOLERANCE, f"the 2026 summary came {release_2026 - summary_at} early"
    assert access_at >= published_2025 - TOLERANCE, f"the access email came {published_2025 - access_at} early"
    for process in (worker, scheduler):
        assert re.search(r"Klockan: den här datorns klocka går 15,\d+ s före databasens", process.output), process.output
        assert "Traceback" not in process.output
