"""The PostgreSQL publication reader connects as the app engine does: what a check of its mutants against the
PostgreSQL tests found them letting through (mutation/; README "Mutation testing").

The reader makes connections of its own from the app engine's URL. The options in that URL (a schema's search
path, say) must reach them, or the reader reads other tables than the app; and its own settings must win over the
database's, or the server's text of a moment is one `_text_rows` cannot read (a DateStyle other than ISO).

PostgreSQL only (`make mutation` runs SQLite only and leaves out every test named for PostgreSQL).
"""
from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from hti_comms.config import normalise_database_url
from hti_comms.results.models import PublicationMoment, ResultSet
from hti_comms.results.publication import READER_NAME, publication_state
from tests.conftest import fresh_database
from tests.processes import wait_until
from tests.publication.helpers import PUBLISHED_AT

SECOND = timedelta(seconds=1)


@contextmanager
def _postgresql_database(tmp_path, schema: str = "public", **settings: str):
    """Yield the URL of a new PostgreSQL database holding the tables the read needs, in `schema`, with the
    database-wide `settings` (ALTER DATABASE … SET) that every new session starts with."""
    with fresh_database("postgresql", tmp_path) as url:
        url = normalise_database_url(url)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                name = make_url(url).database
                for setting, value in settings.items():
                    connection.execute(text(f'ALTER DATABASE "{name}" SET {setting} = \'{value}\''))
                if schema != "public":
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                connection.execute(text(f'SET search_path = "{schema}"'))
                ResultSet.__table__.create(connection)
                PublicationMoment.__table__.create(connection)
                connection.execute(text(
                    "CREATE TABLE public_content_version (id INTEGER PRIMARY KEY, version INTEGER)"))
                connection.execute(text("INSERT INTO public_content_version (id, version) VALUES (1, 3)"))
                connection.execute(insert(ResultSet.__table__).values(
                    year=2025, is_demo=False, imported_at=PUBLISHED_AT - timedelta(days=30), source="test.csv",
                    data_version="v2025"))
                connection.execute(insert(PublicationMoment.__table__).values(year=2025, published_at=PUBLISHED_AT))
        finally:
            admin.dispose()
        yield url


def test_postgresql_reader_reads_the_tables_the_app_engines_search_path_names(tmp_path):
    """An app engine whose URL sets the search path (its tables in a schema of their own): the reader sees them."""
    with _postgresql_database(tmp_path, schema="hti") as url:
        plain = create_engine(url)
        try:
            with pytest.raises(ProgrammingError, match="result_set"):  # without the option: no such tables
                publication_state(PUBLISHED_AT, engine=plain)
        finally:
            plain.dispose()
        engine = create_engine(url + "?options=-csearch_path%3Dhti")
        try:
            for _ in range(2):  # the first read on a new connection, the second on the kept one
                before = publication_state(PUBLISHED_AT - SECOND, engine=engine)
                assert before.public_years == () and before.next_change_at == PUBLISHED_AT
                state = publication_state(PUBLISHED_AT, engine=engine)
                assert state.public_years == (2025,) and state.content_version == 3
                assert state.years[2025].published_at == PUBLISHED_AT
        finally:
            engine.dispose()


def test_postgresql_reader_judges_the_moment_whatever_the_databases_date_style_and_time_zone(tmp_path):
    """A database set to show dates the Swedish way, in Swedish time: the reader's own settings win, and the
    moment is the same instant."""
    with _postgresql_database(tmp_path, DateStyle="SQL, DMY", TimeZone="Europe/Stockholm") as url:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:  # the app engine's own sessions do get the database's style
                assert connection.scalar(text("SHOW DateStyle")) == "SQL, DMY"
            assert not publication_state(PUBLISHED_AT - SECOND, engine=engine).is_public(2025)
            state = publication_state(PUBLISHED_AT, engine=engine)
            assert state.is_public(2025) and state.years[2025].published_at == PUBLISHED_AT
            assert state.public_version == (3, (2025, "v2025", PUBLISHED_AT.isoformat()))
        finally:
            engine.dispose()


def _reader_pids(url: str) -> list[int]:
    """The server processes of the reader's connections to the database at `url`."""
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            return list(connection.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name AND datname = current_database()"),
                {"name": READER_NAME}))
    finally:
        admin.dispose()


def test_postgresql_reader_raises_a_failed_statement_as_sqlalchemys_error_and_closes_its_connection(tmp_path):
    """A table gone under a kept connection: tried once more on a new connection, then ProgrammingError naming the
    read; no connection kept from it, and the next read after the table is back answers on a new one."""
    with _postgresql_database(tmp_path) as url:
        engine = create_engine(url)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            assert publication_state(PUBLISHED_AT, engine=engine).content_version == 3
            pids = _reader_pids(url)
            assert len(pids) == 1
            with admin.connect() as connection:
                connection.execute(text("ALTER TABLE public_content_version RENAME TO kept_aside"))
            with pytest.raises(ProgrammingError, match="public_content_version") as failed:
                publication_state(PUBLISHED_AT, engine=engine)
            assert "FROM result_set" in failed.value.statement  # the log names the read that failed
            assert 'relation "public_content_version" does not exist' in str(failed.value.orig)  # and the server's why
            wait_until(lambda: _reader_pids(url) == [], timeout=30, message="the failed connections closed")
            with admin.connect() as connection:
                connection.execute(text("ALTER TABLE kept_aside RENAME TO public_content_version"))
            state = publication_state(PUBLISHED_AT, engine=engine)
            assert state.public_years == (2025,) and state.content_version == 3
            assert len(_reader_pids(url)) == 1 and _reader_pids(url) != pids
        finally:
            admin.dispose()
            engine.dispose()


def test_postgresql_reader_answers_after_a_migration_changed_a_column_it_reads(tmp_path):
    """A migration run while the app serves changes the type of a column the prepared statement returns: the
    kept connection's plan can no longer be used ("cached plan must not change result type"); the read answers
    on a new connection instead of failing until the app restarts."""
    with _postgresql_database(tmp_path) as url:
        engine = create_engine(url)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            assert publication_state(PUBLISHED_AT, engine=engine).content_version == 3
            with admin.connect() as connection:
                connection.execute(text("ALTER TABLE public_content_version ALTER COLUMN version TYPE bigint"))
            assert publication_state(PUBLISHED_AT, engine=engine).content_version == 3
            assert publication_state(PUBLISHED_AT, engine=engine).public_years == (2025,)
        finally:
            admin.dispose()
            engine.dispose()


def test_postgresql_reader_raises_a_failed_connection_as_sqlalchemys_operational_error(tmp_path):
    """A database the server does not have: OperationalError, as the app engine's own connection raises it."""
    with _postgresql_database(tmp_path) as url:
        missing = make_url(url).set(database=f"hti_missing_{uuid.uuid4().hex[:8]}").render_as_string(
            hide_password=False)
    engine = create_engine(missing)
    try:
        with pytest.raises(OperationalError, match="does not exist") as failed:
            publication_state(PUBLISHED_AT, engine=engine)
        assert "FROM result_set" in failed.value.statement  # the log names the read it was for
        with pytest.raises(OperationalError, match="does not exist"), engine.connect():
            pass
    finally:
        engine.dispose()


def test_postgresql_reader_in_a_forked_worker_connects_anew_and_leaves_the_parents_connection_alone(tmp_path):
    """Gunicorn forks its workers from a process that may have read already (a preloaded app): the child reads on
    a connection of its own, and the parent's kept connection still answers afterwards."""
    with _postgresql_database(tmp_path) as url:
        engine = create_engine(url)
        try:
            assert publication_state(PUBLISHED_AT, engine=engine).public_years == (2025,)
            pids = _reader_pids(url)
            assert len(pids) == 1
            child = os.fork()
            if child == 0:  # the worker: an answer from the reader, or exit 1 (never back into pytest)
                try:
                    state = publication_state(PUBLISHED_AT, engine=engine)
                    os._exit(0 if state.public_years == (2025,) else 1)
                except BaseException:
                    os._exit(1)
            _, status = os.waitpid(child, 0)
            assert os.waitstatus_to_exitcode(status) == 0
            assert publication_state(PUBLISHED_AT, engine=engine).public_years == (2025,)
            # The parent's connection, unharmed by the child's exit (the child's own goes when the server notices).
            wait_until(lambda: _reader_pids(url) == pids, timeout=30, message="only the parent's connection")
        finally:
            engine.dispose()


def test_postgresql_reader_reads_a_year_without_a_moment_and_no_content_version(tmp_path):
    """The server's NULLs: a year imported with no publication moment yet is not public, and a database whose
    content was never changed has no content version."""
    with _postgresql_database(tmp_path) as url:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        engine = create_engine(url)
        try:
            with admin.connect() as connection:
                connection.execute(insert(ResultSet.__table__).values(
                    year=2026, is_demo=False, imported_at=PUBLISHED_AT, source="test.csv", data_version="v2026"))
                connection.execute(text("DELETE FROM public_content_version"))
            state = publication_state(PUBLISHED_AT + timedelta(days=400), engine=engine)
            assert state.years[2026].published_at is None and not state.is_public(2026)
            assert state.public_years == (2025,) and state.next_change_at is None
            assert state.content_version is None and state.public_version[0] is None
        finally:
            engine.dispose()
            admin.dispose()


def test_postgresql_reader_keeps_at_most_its_bound_of_connections_after_a_burst(tmp_path):
    """Nine requests reading at once (each on a connection of its own, held up by a migration's lock): when they
    are done the reader keeps eight for the next reads and closes the ninth."""
    with _postgresql_database(tmp_path) as url:
        engine = create_engine(url)
        admin = create_engine(url)
        answers, errors = [], []

        def read():
            try:
                answers.append(publication_state(PUBLISHED_AT, engine=engine).public_years)
            except Exception as error:  # collected: an exception in a thread would not fail the test by itself
                errors.append(error)

        def waiting() -> int:
            with admin.connect() as connection:
                return connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                    "AND datname = current_database() AND wait_event_type = 'Lock'"), {"name": READER_NAME})

        threads = [threading.Thread(target=read) for _ in range(9)]
        try:
            with admin.connect() as locker:
                locker.execute(text("LOCK TABLE result_set IN ACCESS EXCLUSIVE MODE"))
                for thread in threads:
                    thread.start()
                wait_until(lambda: waiting() == 9, timeout=60, message="nine reads waiting for the lock")
                locker.rollback()
            for thread in threads:
                thread.join()
            assert errors == [] and answers == [(2025,)] * 9
            wait_until(lambda: len(_reader_pids(url)) == 8, timeout=30, message="eight kept connections")
        finally:
            for thread in threads:
                if thread.is_alive():
                    thread.join()
            admin.dispose()
            engine.dispose()
