"""When a year's results are public: the one rule, asked against the application clock on every request.

A year is public when its publication moment (`PublicationMoment`, read as `ResultSet.published_at`, set by
staff) is set and the application clock has reached it: `hti_comms.clock.trusted_now()`, the database server's
time as this process measured it (so a web server whose own clock is fast never shows a year early), which refuses to answer
(ClockNotTrusted, a 503 on public pages) when that time has not been measured recently. Nothing flips a flag at publication: every
caller asks here, so a stopped scheduler can neither publish early nor keep the results from appearing.

`publication_state()` reads every year's publication moment and data version in one small query (a few rows),
so a public page can decide what it may show and which cached ranking or page it may use in one round trip.
"""
from __future__ import annotations

import sqlite3
import threading
import weakref
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, create_engine, event, literal_column, select

from ..clock import as_utc, trusted_now
from ..extensions import db
from .models import PublicationMoment, ResultSet


def is_released(published_at: datetime | None, at: datetime | None = None) -> bool:
    """Return whether results with this publication moment are public at `at` (default: now)."""
    return published_at is not None and as_utc(at or trusted_now()) >= as_utc(published_at)


@dataclass(frozen=True)
class YearState:
    year: int
    published_at: datetime | None
    data_version: str


@dataclass(frozen=True)
class PublicationState:
    """Every year with results, as the database says at one moment, judged at `at`."""

    at: datetime
    years: dict[int, YearState]
    #: Raised by every change to follow-up links and action plans (None: never changed).
    content_version: int | None = None
    #: What follows from the same rows at any moment, shared by the states read from them (see `_Derived`).
    _derived: "_Derived | None" = field(default=None, compare=False, repr=False)

    def is_public(self, year: int) -> bool:
        state = self.years.get(year)
        return state is not None and is_released(state.published_at, self.at)

    @property
    def public_years(self) -> tuple[int, ...]:
        """Return the public years, newest first."""
        if self._derived is not None:
            return self._derived.at(self.at)[0]
        return tuple(sorted((y for y in self.years if self.is_public(y)), reverse=True))

    def ranking_version(self, year: int) -> tuple:
        """Return what the year's ranking is computed from: its data and the previous year's (for changes)."""
        previous = self.years.get(year - 1)
        return (self.years[year].data_version, previous.data_version if previous else None)

    @property
    def public_version(self) -> tuple:
        """Return a key that changes whenever anything public changes: a new public year, a re-import, or a change to
        follow-up links or action plans (the content version)."""
        if self._derived is not None:
            return self._derived.at(self.at)[1]
        return (self.content_version, *((y, self.years[y].data_version,
                                         as_utc(self.years[y].published_at).isoformat()) for y in self.public_years))

    @property
    def next_change_at(self) -> datetime | None:
        """Return the next publication moment after `at` (when public pages change next), or None."""
        if self._derived is not None:
            return self._derived.at(self.at)[2]
        upcoming = [as_utc(s.published_at) for s in self.years.values()
                    if s.published_at is not None and as_utc(s.published_at) > self.at]
        return min(upcoming, default=None)


class _Derived:
    """What follows from one set of state rows at any moment: the public years, the public version and the next
    change, worked out once per set of rows and number of publication moments passed, not once per request.

    Exact, not a cache of the embargo: every request still reads the rows and takes its own moment; a year is
    public when its moment is at or before that moment, so two moments that passed the same number of the rows'
    (sorted) publication moments have the same public years, hence the same version and the same next change.
    """

    def __init__(self, years: dict[int, YearState], content_version: int | None) -> None:
        self.years = years
        self.content_version = content_version
        self.moments = sorted({s.published_at for s in years.values() if s.published_at is not None})
        self._by_passed: dict[int, tuple] = {}

    def at(self, at: datetime) -> tuple[tuple[int, ...], tuple, datetime | None]:
        passed = bisect_right(self.moments, at)  # the moments at or before `at`
        found = self._by_passed.get(passed)
        if found is None:
            plain = PublicationState(at, self.years, self.content_version)  # the rule itself, without this
            found = self._by_passed[passed] = (plain.public_years, plain.public_version, plain.next_change_at)
        return found


#: The `_Derived` of the last sets of rows read (a handful: the rows change only when staff change something).
_DERIVED: dict[tuple, _Derived] = {}
_DERIVED_MAX = 32


def _derived(rows: tuple) -> _Derived:
    found = _DERIVED.get(rows)
    if found is None:
        years = {year: YearState(year, _moment(published_at), data_version)
                 for year, published_at, data_version, _content in rows}
        found = _Derived(years, rows[0][3] if rows else None)
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.clear()
        _DERIVED[rows] = found
    return found


def _moment(published_at: datetime | str | None) -> datetime | None:
    """Return the stored moment as an aware UTC datetime (SQLite's own driver gives the stored naive UTC text)."""
    if published_at is None:
        return None
    if isinstance(published_at, str):
        published_at = datetime.fromisoformat(published_at)
    return as_utc(published_at)


#: The public content version (hti_comms/public/content_version.py) comes with every row: one round trip still.
#: The moment is joined in (a primary-key lookup per year): still one statement.
_STATE_QUERY = select(ResultSet.year, PublicationMoment.published_at, ResultSet.data_version,
                      literal_column("(SELECT version FROM public_content_version WHERE id = 1)")) \
    .outerjoin(PublicationMoment, PublicationMoment.year == ResultSet.year)

#: The engine each app engine's publication reads go through (see `_reader`), with its statement, made on first use.
_READERS: "weakref.WeakKeyDictionary[Engine, tuple[Engine, str]]" = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()
#: How the reader's connections are named on the server (pg_stat_activity.application_name).
READER_NAME = "hti publication reader"


def _reader(engine: Engine) -> "Engine | _SQLiteReader":
    """Return what the publication read on every public request goes through, for the app engine `engine`.

    On PostgreSQL a read through the app's pool costs four round trips: the pool's liveness ping, BEGIN, the
    statement and the ROLLBACK when the connection goes back. This engine, to the same database, reads in
    autocommit with no ping and no reset: one round trip. A connection the server dropped is found by the read
    itself, which is then made once more on a new connection. The reader is disposed with the app engine.
    On SQLite there are no round trips, but the pool's checkout (with its liveness ping) and the layers of a
    SQLAlchemy read took 90 % of the read: `_SQLiteReader` reads the same file with the driver alone.
    """
    return _reader_and_statement(engine)[0]


class _SQLiteReader:
    """Plain sqlite3 connections to the app engine's file, in autocommit (each read sees every commit made before
    it, and holds no transaction after it), kept for the next read; closed when the app engine is disposed."""

    #: Connections kept between reads (one per thread reading at the same time; more are closed after use).
    KEEP = 8

    def __init__(self, path: str) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def rows(self, statement: str) -> list[tuple]:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            rows = connection.execute(statement).fetchall()
        except BaseException:
            connection.close()
            raise
        with self._lock:
            if len(self._idle) < self.KEEP:
                self._idle.append(connection)
                connection = None
        if connection is not None:
            connection.close()
        return rows

    def dispose(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _sqlite_file(engine: Engine) -> str | None:
    """Return the file of an SQLite engine that a second connection would share (None: in memory, or a URI)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:") or engine.url.query:
        return None
    return database


def _reader_and_statement(engine: Engine) -> tuple["Engine | _SQLiteReader", str]:
    with _READERS_LOCK:
        found = _READERS.get(engine)
        if found is None:
            if engine.dialect.name == "sqlite":
                path = _sqlite_file(engine)
                if path is None:
                    return engine, ""
                reader = _SQLiteReader(path)
            else:
                reader = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                       pool_reset_on_return=None, pool_size=2, max_overflow=8,
                                       connect_args={"application_name": READER_NAME})
            event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
            found = _READERS[engine] = (reader, str(_STATE_QUERY.compile(dialect=engine.dialect)))
    return found


def _read_state_rows(engine: Engine) -> list[tuple]:
    """Return (year, published_at, data_version, content version) of every year with results."""
    reader, statement = _reader_and_statement(engine)
    if reader is engine:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(_STATE_QUERY)]
    if isinstance(reader, _SQLiteReader):
        return reader.rows(statement)
    # The driver's own cursor: the statement has no parameters and its columns need no conversion
    # (`_moment` does what the column type would), and the read is a third cheaper without the layers.
    try:
        return _fetch(reader, statement)
    except _Dropped:
        # The server dropped it (a restart, a failover, an idle timeout), and likely the pool's others too:
        # they are let go of; read once more, on a new connection.
        return _fetch(reader, statement)


class _Dropped(Exception):
    """The reader's connection was dropped by the server (its pool has been let go of)."""


def _fetch(reader: Engine, statement: str) -> list[tuple]:
    connection = reader.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(statement)
        rows = cursor.fetchall()
        cursor.close()
        return rows
    except reader.dialect.loaded_dbapi.Error as error:
        if not reader.dialect.is_disconnect(error, connection.dbapi_connection, None):
            raise
        connection.invalidate(error)
        reader.dispose()
        raise _Dropped from error
    finally:
        connection.close()


def publication_state(at: datetime | None = None, engine: Engine | None = None) -> PublicationState:
    """Return the publication moment and data version of every year, judged at `at` (default: now).

    `engine` is the app's database engine (default: the current app's; given by callers outside Flask).
    """
    # Not the session: this runs before every public page and needs no transaction beyond the one statement.
    rows = tuple(map(tuple, _read_state_rows(engine or db.engine)))
    derived = _derived(rows)
    return PublicationState(at=as_utc(at or trusted_now()), years=derived.years,
                            content_version=derived.content_version, _derived=derived)


def is_public(year: int, at: datetime | None = None) -> bool:
    """Return whether `year` has results that are public at `at` (default: now)."""
    published_at = db.session.scalar(select(ResultSet.published_at).where(ResultSet.year == year))
    return is_released(published_at, at)


def public_years(at: datetime | None = None) -> tuple[int, ...]:
    """Return the years whose results are public at `at` (default: now), newest first."""
    return publication_state(at).public_years
