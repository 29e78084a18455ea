"""The database server's clock as every process's clock: measured, followed, refused when it cannot be read."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from hti_comms import clock, dbclock, dbclock_app
from hti_comms.delivery.gates import held_back
from hti_comms.delivery.models import Send
from hti_comms.publication.moments import set_publication
from hti_comms.scheduling.models import ProcessClock
from hti_comms.scheduling.sweeps import run_sweep
from tests.briefs.factories import store_year

#: A PostgreSQL address where nothing answers: a clock that can never be read.
UNREADABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"


@pytest.fixture(autouse=True)
def restore_the_clock():
    """Each test here changes the process's clock; put its reference, skew and role back."""
    reference, role = clock.reference(), dbclock.role()
    yield
    clock.use_reference(reference)
    clock.configure_skew(0)
    dbclock._role = role


def database_time(db):
    db.session.rollback()
    return clock.as_utc(db.session.scalar(text("SELECT clock_timestamp()")) if db.engine.dialect.name == "postgresql"
                        else clock.system_now())


def postgresql_only(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite: the database is a file on this machine, so its clock is this machine's clock (offset 0)")


def test_on_sqlite_the_clock_is_this_machines_and_says_so(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite case")
    assert clock.reference() is None
    health = dbclock_app.clock_health()
    assert (health.is_healthy, health.offset_seconds, health.source, health.warning) == (True, 0.0, "sqlite", None)
    assert "SQLite" in dbclock_app.describe() and "ingen egen klocka" in dbclock_app.describe()


def test_a_fast_machine_clock_is_corrected_to_the_databases(app, db, caplog):
    postgresql_only(db)
    clock.use_reference(dbclock.DatabaseClock(app.config["SQLALCHEMY_DATABASE_URI"]))  # a process that just started
    clock.configure_skew(15)  # this machine's clock is 15 s fast
    with caplog.at_level(logging.WARNING, logger="hti_comms.dbclock"):
        before = database_time(db)
        now = clock.now()
        after = database_time(db)
    assert before - timedelta(seconds=0.5) <= now <= after + timedelta(seconds=0.5)
    assert clock.system_now() - now > timedelta(seconds=14)
    health = dbclock_app.clock_health()
    assert health.is_healthy and health.offset_seconds == pytest.approx(-15, abs=0.5)
    assert "15,0 sekunder före databasens" in health.warning
    assert any("15.0 s ahead of the database server's" in r.getMessage() for r in caplog.records)
    assert "före databasens" in dbclock_app.describe()


def test_a_clock_stepped_between_two_measurements_changes_nothing(app, db):
    postgresql_only(db)
    clock.use_reference(dbclock.DatabaseClock(app.config["SQLALCHEMY_DATABASE_URI"]))
    clock.now()                   # measured with a right clock
    clock.configure_skew(-40)     # then the machine's clock is stepped 40 s back
    before = database_time(db)
    now = clock.now()
    assert before - timedelta(seconds=0.5) <= now <= database_time(db) + timedelta(seconds=0.5)


def test_the_movable_clock_moves_the_databases_time(app, db):
    postgresql_only(db)
    clock.use_reference(dbclock.DatabaseClock(app.config["SQLALCHEMY_DATABASE_URI"]))
    clock.configure_skew(30)
    moment = database_time(db) + timedelta(days=3)
    clock.set_now(moment)
    assert moment <= clock.now() < moment + timedelta(seconds=1)
    assert moment <= clock.trusted_now() < moment + timedelta(seconds=1)


def test_a_named_process_records_its_offset_for_the_staff_pages(app, db, staff_login):
    postgresql_only(db)
    reference = dbclock.DatabaseClock(app.config["SQLALCHEMY_DATABASE_URI"])
    clock.use_reference(reference)
    clock.configure_skew(-7)  # 7 s slow
    dbclock.set_role("utskicksprocessen")
    reference.measure(force=True)
    db.session.rollback()
    (row,) = db.session.scalars(select(ProcessClock)).all()
    assert (row.role, row.offset_seconds) == ("utskicksprocessen", pytest.approx(7, abs=0.5))
    # Another process's clock 15 s fast (recorded by it a moment ago) shows on every staff page.
    db.session.add(ProcessClock(process="server2:4242", role="schemaläggaren", host="server2", offset_seconds=-15.04,
                                measured_at=clock.now()))
    db.session.commit()
    page = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "Klockan i schemaläggaren på server2 går 15,0 sekunder före databasens" in page
    assert "ställ klockan rätt (NTP)" in page


@pytest.fixture
def year_2025(app, db):
    """2025 published at a known moment; the clock right after it."""
    store_year(2024, {"0114": "60.0", "0115": "70.0"})
    store_year(2025, {"0114": "72.5", "0115": "68.3"})
    published_at = clock.now() - timedelta(hours=1)
    clock.set_now(published_at - timedelta(days=1))
    set_publication(2025, published_at, actor="test")
    db.session.commit()
    clock.set_now(published_at + timedelta(minutes=5))
    return published_at


def test_an_unreadable_database_clock_refuses_every_embargo_decision(app, db, client, staff_login, year_2025, caplog):
    assert client.get("/resultat/2025").status_code == 200
    clock.use_reference(dbclock.DatabaseClock(UNREADABLE))  # this process has never read the database's time
    response = client.get("/resultat/2025")
    assert response.status_code == 503 and response.headers["Cache-Control"] == "no-store"
    assert "Tjänsten är tillfälligt otillgänglig" in response.get_data(as_text=True)
    assert client.get("/api/resultat/2025.json").status_code == 503

    from hti_comms.delivery.outbox import Recipient, enqueue
    from tests.delivery.helpers import sample_spec

    from hti_comms.delivery.owner import Owner

    send = enqueue(sample_spec(owner=Owner.of("publication", "report-access", 2025, "0114")),
                   [Recipient("eva@example.se", "Eva")])
    db.session.commit()
    assert "Databasens klocka har inte kunnat läsas" in held_back([db.session.get(Send, send.id)])[send.id]

    with caplog.at_level(logging.WARNING, logger="hti_comms.scheduling.sweeps"):
        assert run_sweep("publication.access_emails") is False
    assert any("publication.access_emails waits: Databasens klocka" in r.getMessage() for r in caplog.records)

    health = dbclock_app.clock_health()
    assert not health.is_healthy and health.offset_seconds is None
    page = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "Klockan i webbservern på" in page and "databasens klocka gick inte att läsa" in page


class FakeServer:
    """A database server whose clock runs `offset` seconds from this process's monotonic clock, answering after
    `round_trip` seconds (the answer read at a point within it), or failing while `down`."""

    def __init__(self, start):
        self.monotonic = 1000.0
        self.start = start
        self.round_trip = 0.002
        self.read_at = 0.5   # where within the round trip the server reads its clock
        self.down = False

    def true_time(self):
        return self.start + timedelta(seconds=self.monotonic)

    def measure(self):
        if self.down:
            raise ConnectionRefusedError("the database is away")
        started = self.monotonic
        answer = self.start + timedelta(seconds=started + self.round_trip * self.read_at)
        self.monotonic += self.round_trip
        return answer, started, self.monotonic, answer


def fake_clock(server: FakeServer) -> dbclock.DatabaseClock:
    return dbclock.DatabaseClock("postgresql+psycopg://fake/fake", measure=server.measure,
                                 monotonic=lambda: server.monotonic)


def test_a_clock_measured_every_minute_stays_trusted_and_never_runs_ahead_or_back():
    server = FakeServer(clock.system_now())
    reference = fake_clock(server)
    readings = []
    for step in range(4 * 60 * 6):                      # four hours in ten-second steps
        server.monotonic += 10
        server.round_trip = (0.001, 0.3, 0.01, 1.5)[step % 4]   # answers fast and slow
        server.read_at = (0.0, 1.0, 0.5)[step % 3]
        reference.require_trust()                       # measured each minute: trusted all along
        now = reference.now()
        assert now <= server.true_time()                # never ahead of the database
        assert server.true_time() - now <= timedelta(seconds=1.5)
        readings.append(now)
    assert readings == sorted(readings)                 # never back


def test_a_clock_that_cannot_be_measured_for_three_minutes_is_not_trusted():
    server = FakeServer(clock.system_now())
    reference = fake_clock(server)
    reference.require_trust()
    server.down = True
    server.monotonic += dbclock.TRUST_SECONDS - 1
    reference.require_trust()                           # still counting on the last answer
    assert reference.now() <= server.true_time()
    server.monotonic += 2
    with pytest.raises(clock.ClockNotTrusted, match="Databasens klocka har inte kunnat läsas"):
        reference.require_trust()
    assert not reference.health().is_healthy
    server.down = False
    server.monotonic += 2
    reference.require_trust()                           # back as soon as it answers again
    assert reference.health().is_healthy


def test_an_answer_slower_than_the_limit_is_not_kept():
    server = FakeServer(clock.system_now())
    reference = fake_clock(server)
    server.round_trip = dbclock.MAX_ROUND_TRIP_SECONDS + 1
    assert reference.now() is None
    with pytest.raises(clock.ClockNotTrusted):
        reference.require_trust()
