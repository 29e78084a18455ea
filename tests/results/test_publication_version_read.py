"""The PostgreSQL publication reader reads only the public content version while it is unchanged, and the
database raises that version in the same transaction as any write to the tables the state is read from.

The embargo rests on it: a postponement written by any means (the app, a script, psql) shows on the very next
read; a restore that brings back an old version number in a table made anew is read anew; and where the
triggers are missing or disabled, every read reads the whole state as before. PostgreSQL only (SQLite reads the
whole state in process on every request and has no triggers).
"""
from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from hti_comms.public.content_version import WATCHED
from hti_comms.results import publication
from hti_comms.results.models import PublicationMoment, ResultSet
from hti_comms.results.publication import publication_state
from tests.publication.helpers import PUBLISHED_AT

pytestmark = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

SECOND = timedelta(seconds=1)
LATER = PUBLISHED_AT + timedelta(days=7)
MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0024_content_version_triggers.py"


@pytest.fixture
def published(app, db):
    """A year public from PUBLISHED_AT, a new reader for the app engine, and an engine of the test's own to write
    with as a script or psql would, bypassing the ORM session."""
    db.session.add(ResultSet(year=2025, is_demo=False, imported_at=PUBLISHED_AT - timedelta(days=30),
                             source="test.csv", data_version="v2025"))
    db.session.add(PublicationMoment(year=2025, published_at=PUBLISHED_AT))
    db.session.commit()
    db.engine.dispose()  # the reader's connections go with the engine: each test starts with new ones
    writer = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        yield writer
    finally:
        writer.dispose()
        db.engine.dispose()


def _reader(db):
    return publication._reader(db.engine)


def _version(writer) -> int | None:
    with writer.connect() as connection:
        return connection.scalar(text("SELECT version FROM public_content_version WHERE id = 1"))


def _write(writer, *statements: str, **values) -> None:
    """Run `statements` in one transaction, committed."""
    with writer.begin() as connection:
        for statement in statements:
            connection.execute(text(statement), values)


#: A change to the moment that raises no version (as where no trigger would): the trigger off for it alone.
UNTOLD_POSTPONEMENT = ("ALTER TABLE publication_moment DISABLE TRIGGER hti_public_content_version",
                       "UPDATE publication_moment SET published_at = :later",
                       "ALTER TABLE publication_moment ENABLE TRIGGER hti_public_content_version")


def test_an_unchanged_state_is_answered_from_the_version_and_a_postponement_by_plain_sql_shows_next(app, db,
                                                                                                    published):
    assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    reader = _reader(db)
    assert reader.full_reads == 1
    for _ in range(3):
        assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    assert reader.full_reads == 1  # the version only: nothing was committed since the rows were read

    _write(published, "UPDATE publication_moment SET published_at = :later", later=LATER)
    state = publication_state(PUBLISHED_AT, engine=db.engine)
    assert not state.is_public(2025) and state.next_change_at == LATER
    assert reader.full_reads == 2
    assert not publication_state(LATER - SECOND, engine=db.engine).is_public(2025)
    assert publication_state(LATER, engine=db.engine).is_public(2025)
    assert reader.full_reads == 2


def test_the_migrations_triggers_watch_the_tables_the_app_watches(app):
    spec = importlib.util.spec_from_file_location("migration_0024", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert set(migration.TABLES) == WATCHED


@pytest.mark.parametrize("table", sorted(WATCHED))
@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column} = {column} WHERE false",
                                       "DELETE FROM {table} WHERE false", "TRUNCATE {table} CASCADE"])
def test_every_kind_of_write_to_a_watched_table_raises_the_version_in_its_own_transaction(app, db, published,
                                                                                          table, statement):
    column = {"result_set": "year", "publication_moment": "year"}.get(table, "id")
    before = _version(published)
    with published.begin() as connection:  # one transaction: the raise is in it, not after it
        connection.execute(text(statement.format(table=table, column=column)))
        assert connection.scalar(text("SELECT version FROM public_content_version WHERE id = 1")) == before + 1
        assert _version(published) == before  # not seen outside before the commit
    assert _version(published) == before + 1


def test_a_write_rolled_back_leaves_the_version_and_the_kept_rows(app, db, published):
    assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    before = _version(published)
    with published.connect() as connection:
        connection.execute(text("UPDATE publication_moment SET published_at = :later"), {"later": LATER})
        connection.rollback()
    assert _version(published) == before
    assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    assert _reader(db).full_reads == 1


def test_a_table_made_anew_with_an_old_version_number_is_read_anew(app, db, published):
    """What a restore does: the version table made anew (its data from a backup), here with the very number the
    reader read last, while the moment changed: the rows are read again, not taken from before."""
    assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    kept = _version(published)
    _write(published, "CREATE TABLE restored (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
           "INSERT INTO restored (id, version) VALUES (1, :kept)", *UNTOLD_POSTPONEMENT,
           "DROP TABLE public_content_version", "ALTER TABLE restored RENAME TO public_content_version",
           "ALTER TABLE public_content_version RENAME CONSTRAINT restored_pkey TO pk_public_content_version",
           kept=kept, later=LATER)
    assert _version(published) == kept
    state = publication_state(PUBLISHED_AT, engine=db.engine)
    assert not state.is_public(2025) and state.next_change_at == LATER
    assert _reader(db).full_reads == 2


def test_a_version_row_deleted_and_made_again_with_the_number_read_last_is_read_anew(app, db, published):
    """The same table, the same number, but another row (deleted by hand and made again) while the moment changed
    with no read in between: the rows are read again."""
    assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    kept = _version(published)
    _write(published, *UNTOLD_POSTPONEMENT, "DELETE FROM public_content_version",
           "INSERT INTO public_content_version (id, version) VALUES (1, :kept)", kept=kept, later=LATER)
    assert _version(published) == kept
    assert not publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    assert _reader(db).full_reads == 2


@pytest.mark.parametrize("how", ["dropped", "disabled"])
def test_without_every_trigger_each_read_reads_the_whole_state(app, db, published, how):
    change = {"dropped": "DROP TRIGGER hti_public_content_version ON action_measure",
              "disabled": "ALTER TABLE action_measure DISABLE TRIGGER hti_public_content_version"}[how]
    put_back = {"dropped": "CREATE TRIGGER hti_public_content_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                           "ON action_measure FOR EACH STATEMENT EXECUTE FUNCTION hti_raise_public_content_version()",
                "disabled": "ALTER TABLE action_measure ENABLE TRIGGER hti_public_content_version"}[how]
    _write(published, change)
    try:
        for _ in range(3):
            assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
        assert _reader(db).full_reads == 3
        _write(published, *UNTOLD_POSTPONEMENT, later=LATER)  # a write the version does not tell of
        assert not publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
        assert _reader(db).full_reads == 4
    finally:
        _write(published, put_back)


def test_a_failed_read_forgets_the_kept_rows(app, db, published):
    """The version table gone and back with its old number (no trigger raised it meanwhile): after the failure the
    rows are read anew, not answered from before it."""
    assert publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
    _write(published, "ALTER TABLE public_content_version RENAME TO kept_aside")
    with pytest.raises(ProgrammingError, match="public_content_version"):
        publication_state(PUBLISHED_AT, engine=db.engine)
    _write(published, *UNTOLD_POSTPONEMENT, "ALTER TABLE kept_aside RENAME TO public_content_version", later=LATER)
    assert not publication_state(PUBLISHED_AT, engine=db.engine).is_public(2025)
