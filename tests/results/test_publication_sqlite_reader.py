"""The publication read on SQLite: which engines get a reader of their own, the fallback through the app engine, an
empty database, the reader's connections shared between threads, and the bound on what is worked out once.

What `make mutation` found passing every test after the SQLite reader came (mutation/): the public pages judge
the embargo from this read, so a wrong answer here is a year shown before its moment.
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.pool import StaticPool

from hti_comms.results import publication
from hti_comms.results.models import PublicationMoment, ResultSet
from hti_comms.results.publication import _SQLiteReader, _sqlite_file, publication_state
from tests.publication.helpers import PUBLISHED_AT

SECOND = timedelta(seconds=1)


@pytest.mark.parametrize("url, expected", [
    ("sqlite:////srv/hti/hti.db", "/srv/hti/hti.db"),
    ("sqlite:///instance/hti.db", "instance/hti.db"),
    ("sqlite://", None),                         # in memory: a second connection would see another database
    ("sqlite:///:memory:", None),
    ("sqlite:///file:hti.db", None),             # a URI names no plain file
    ("sqlite:///file:hti.db?mode=ro&uri=true", None),
    ("sqlite:////srv/hti/hti.db?timeout=5", None),  # options the app engine has and a plain connection would not
])
def test_only_a_plain_file_gets_a_reader_of_its_own(url, expected):
    engine = create_engine(url)
    try:
        assert _sqlite_file(engine) == expected
    finally:
        engine.dispose()


def _schema(engine) -> None:
    ResultSet.__table__.create(engine)
    PublicationMoment.__table__.create(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE public_content_version (id INTEGER PRIMARY KEY, version INTEGER)"))


def _year(engine, year: int, published_at, data_version: str) -> None:
    with engine.begin() as connection:
        connection.execute(insert(ResultSet.__table__).values(
            year=year, is_demo=False, imported_at=PUBLISHED_AT - timedelta(days=30), source="test.csv",
            data_version=data_version))
        connection.execute(insert(PublicationMoment.__table__).values(year=year, published_at=published_at))


def test_an_engine_in_memory_is_read_through_itself():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        _schema(engine)
        assert publication_state(PUBLISHED_AT, engine=engine).public_years == ()  # no results at all
        assert publication_state(PUBLISHED_AT, engine=engine).content_version is None
        _year(engine, 2025, PUBLISHED_AT, "v2025")
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO public_content_version (id, version) VALUES (1, 4)"))
        before = publication_state(PUBLISHED_AT - SECOND, engine=engine)
        assert before.public_years == () and before.next_change_at == PUBLISHED_AT
        state = publication_state(PUBLISHED_AT, engine=engine)
        assert state.public_years == (2025,) and state.content_version == 4
        assert state.ranking_version(2025) == ("v2025", None)
    finally:
        engine.dispose()


def test_a_file_is_read_through_plain_connections_that_see_every_commit(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'hti.db'}")
    try:
        _schema(engine)
        assert publication_state(PUBLISHED_AT, engine=engine).public_years == ()
        _year(engine, 2024, PUBLISHED_AT - timedelta(days=365), "v2024")
        assert publication_state(PUBLISHED_AT, engine=engine).public_years == (2024,)
        _year(engine, 2025, PUBLISHED_AT, "v2025")  # committed by another connection after the last read
        assert publication_state(PUBLISHED_AT - SECOND, engine=engine).public_years == (2024,)
        assert publication_state(PUBLISHED_AT, engine=engine).public_years == (2025, 2024)
    finally:
        engine.dispose()


def test_a_kept_connection_serves_the_next_read_in_another_thread(tmp_path):
    """Gunicorn's threads share the reader: a connection made in one thread is kept and used by the next."""
    reader = _SQLiteReader(str(tmp_path / "hti.db"))
    answers, errors = [], []

    def read():
        try:
            answers.append(reader.rows("SELECT 1"))
        except Exception as error:  # collected: an exception in a thread would not fail the test by itself
            errors.append(error)

    try:
        first = threading.Thread(target=read)
        first.start()
        first.join()
        second = threading.Thread(target=read)
        second.start()
        second.join()
        read()
        assert errors == [] and answers == [[(1,)]] * 3
    finally:
        reader.dispose()


def test_what_is_worked_out_once_is_kept_for_a_bounded_number_of_row_sets():
    publication._DERIVED.clear()
    try:
        for n in range(publication._DERIVED_MAX * 2):
            rows = ((2025, PUBLISHED_AT, f"v{n}", n),)
            derived = publication._derived(rows)
            assert derived.years[2025].data_version == f"v{n}" and derived.content_version == n
            assert len(publication._DERIVED) <= publication._DERIVED_MAX
        assert publication._derived(()).content_version is None  # no results: no version either
    finally:
        publication._DERIVED.clear()
