"""The publication read on every public request: on PostgreSQL through plain connections of its own, in autocommit
with the statement prepared (one round trip), which must survive a dropped connection, raise what a read through
the app engine would, judge exact instants from the server's text, and go away with the app's engine."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from hti_comms import clock
from hti_comms.results import publication
from hti_comms.config import normalise_database_url
from hti_comms.results.publication import publication_state
from tests.processes import wait_until
from tests.public.conftest import PREVIOUS, PUBLICATION, YEAR, years  # noqa: F401 - the fixture


def _reader_pids(db) -> list[int]:
    """The server processes of the reader's connections."""
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return list(connection.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name AND datname = current_database()"),
                {"name": publication.READER_NAME}))
    finally:
        admin.dispose()


def test_sqlite_reads_with_its_own_connections_and_sees_every_commit(app, db, years):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite half of this test")
    reader = publication._reader(db.engine)
    assert reader is not db.engine and publication._reader(db.engine) is reader
    clock.set_now(PUBLICATION + timedelta(minutes=1))
    assert publication_state().is_public(YEAR)
    assert len(reader._idle) == 1  # kept for the next read, holding no transaction
    assert not reader._idle[0].in_transaction
    # A postponement committed by staff (another connection) shows on the very next read.
    years.set_publication(YEAR, PUBLICATION + timedelta(days=1))
    state = publication_state()
    assert not state.is_public(YEAR) and YEAR not in state.public_years
    assert state.next_change_at == PUBLICATION + timedelta(days=1)
    db.engine.dispose()
    assert reader._idle == []


def test_the_state_judges_its_own_moment_from_rows_read_before(app, db, years):
    """Two reads of the same rows share what follows from them, yet each is judged at its own moment."""
    before = publication_state(PUBLICATION - timedelta(seconds=1))
    at = publication_state(PUBLICATION)
    assert before.years is at.years  # the same rows: read again, worked out once
    assert not before.is_public(YEAR) and before.public_years == (PREVIOUS,) and before.next_change_at == PUBLICATION
    assert at.is_public(YEAR) and at.public_years == (YEAR, PREVIOUS) and at.next_change_at is None
    assert before.public_version != at.public_version
    # The same answers as the rule worked out without the shared part.
    for state in (before, at):
        plain = publication.PublicationState(state.at, state.years, state.content_version)
        assert (plain.public_years, plain.public_version, plain.next_change_at) == \
            (state.public_years, state.public_version, state.next_change_at)


def _reader_sessions(db) -> list[tuple[str, str]]:
    """(state, last statement) of the reader's connections, as the server sees them."""
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return [tuple(row) for row in connection.execute(
                text("SELECT state, query FROM pg_stat_activity WHERE application_name = :name "
                     "AND datname = current_database()"), {"name": publication.READER_NAME})]
    finally:
        admin.dispose()


def test_the_reader_sends_one_statement_and_holds_no_transaction(app, db, years):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite reads through the app engine")
    reader = publication._reader(db.engine)
    assert reader is not db.engine and publication._reader(db.engine) is reader
    clock.set_now(PUBLICATION + timedelta(minutes=1))
    for _ in range(3):
        assert publication_state().is_public(YEAR)
    # One connection, idle between requests (autocommit: no "idle in transaction"), whose last statement was
    # the read itself: no ROLLBACK when it went back to the pool. The state was read once, the version since.
    sessions = _reader_sessions(db)
    assert len(sessions) == 1, sessions
    state, query = sessions[0]
    assert state == "idle" and query == reader.VERSION, sessions
    assert reader.full_reads == 1


def test_a_connection_the_server_dropped_is_read_again(app, db, years):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to drop a connection")
    clock.set_now(PUBLICATION + timedelta(minutes=1))
    reader = publication._reader(db.engine)
    assert publication_state().is_public(YEAR)  # a connection now waits in the reader
    pids = _reader_pids(db)
    assert len(pids) == 1 and len(reader._idle) == 1
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM unnest(CAST(:pids AS int[])) AS pid"),
                           {"pids": pids})
    admin.dispose()
    # The next public request's read finds the dead connection, and answers from a new one.
    state = publication_state()
    assert state.is_public(YEAR)
    assert len(reader._idle) == 1 and _reader_pids(db) not in ([], pids)


def test_the_reader_goes_away_with_the_app_engine(app, db, years):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    publication_state()
    reader = publication._reader(db.engine)
    assert len(reader._idle) == 1 and len(_reader_pids(db)) == 1
    db.engine.dispose()
    assert reader._idle == []
    wait_until(lambda: _reader_pids(db) == [], timeout=30, message="the reader's connection to close")


def test_an_exact_instant_is_judged_from_the_servers_text(app, db, years):
    """The reader's rows are the server's text: a moment with microseconds is public from that very microsecond."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    moment = PUBLICATION + timedelta(microseconds=123457)
    years.set_publication(YEAR, moment)
    assert not publication_state(moment - timedelta(microseconds=1)).is_public(YEAR)
    state = publication_state(moment)
    assert state.is_public(YEAR) and state.years[YEAR].published_at == moment
    assert publication_state(moment).public_version[1][2] == moment.isoformat()


def test_a_failed_read_is_raised_as_a_read_through_the_app_engine_would_be(app, db, tmp_path):
    """An empty database (not migrated yet): SQLAlchemy's ProgrammingError, as through the app engine."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from tests.conftest import fresh_database

    with fresh_database("postgresql", tmp_path) as url:
        engine = create_engine(normalise_database_url(url))
        try:
            with pytest.raises(ProgrammingError, match="result_set"):
                publication_state(engine=engine)
            with engine.connect() as connection, pytest.raises(ProgrammingError, match="result_set"):
                connection.execute(publication._STATE_QUERY)
        finally:
            engine.dispose()
