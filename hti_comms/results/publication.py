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

import os
import sqlite3
import threading
import weakref
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, event, literal_column, select
from sqlalchemy.exc import DBAPIError

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


#: The rows read last and their `_Derived`: the PostgreSQL reader answers with the same rows object while the version
#: is unchanged, found here without hashing them.
_LAST: tuple = (None, None)


def _derived(rows: tuple) -> _Derived:
    global _LAST
    last = _LAST
    if last[0] is rows:
        return last[1]
    found = _DERIVED.get(rows)
    if found is None:
        values = _text_rows(rows) if rows and isinstance(rows[0][0], bytes) else rows
        years = {year: YearState(year, _moment(published_at), data_version)
                 for year, published_at, data_version, _content in values}
        found = _Derived(years, values[0][3] if values else None)
        if len(_DERIVED) >= _DERIVED_MAX:
            _DERIVED.clear()
        _DERIVED[rows] = found
    _LAST = (rows, found)
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

#: What each app engine's publication reads go through (see `_reader`), with its statement, made on first use.
_READERS: "weakref.WeakKeyDictionary[Engine, tuple[object, str]]" = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()
#: How the reader's connections are named on the server (pg_stat_activity.application_name).
READER_NAME = "hti publication reader"


def _reader(engine: Engine) -> "Engine | _SQLiteReader | _PostgresReader":
    """Return what the publication read on every public request goes through, for the app engine `engine`.

    On PostgreSQL a read through the app's pool costs four round trips: the pool's liveness ping, BEGIN, the
    statement and the ROLLBACK when the connection goes back. `_PostgresReader` reads the same database in
    autocommit with the statement prepared: one round trip, through the driver's libpq layer alone. On SQLite there
    are no round trips, but the pool's checkout (with its liveness ping) and the layers of a SQLAlchemy read took
    90 % of the read: `_SQLiteReader` reads the same file with the driver alone. Either is disposed with the app
    engine.
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


class _PostgresReader:
    """Plain psycopg connections to the app engine's database, in autocommit (each read sees every commit made
    before it, and holds no transaction after it), each with its statements prepared once, kept for the next read;
    closed when the app engine is disposed.

    A read is a prepared statement's one round trip through libpq (psycopg's `pq` layer), without the pool's
    checkout, a cursor or the conversion of values: together those cost the web worker twice the CPU of the round
    trip itself (issue 25's municipality page on PostgreSQL). The rows are the server's text, which `_derived`
    keys on and turns into values only when they change (`_text_rows`).

    **The version first.** Where the database raises the public content version itself, in the same transaction as
    any write to the tables the state is read from (the triggers of migration 0024, checked on every new
    connection: `TRIGGERS`), a read asks only for the version, the table that holds it and the transaction that
    wrote it last (`VERSION`, one row by its key: the server's work of a bare `SELECT 1`, half that of the whole
    state) and answers with the rows it read last while those are unchanged. They are read *before* the rows they
    are kept with, and every write raises the version in a new row version, so equal means nothing was committed
    since those rows were read; a restore makes the table anew (another `tableoid`) and a row deleted and made
    again is written by another transaction (another `xmin`), so an old version number met again is not taken
    for the same state. Without the triggers (a database not migrated to 0024, or one whose triggers someone
    dropped or disabled) every read reads the whole state, as before. Any failure forgets the rows kept.

    A connection the server dropped (a restart, a failover, an idle timeout) is found by the read itself, which is
    then made once more on a new connection, the other kept ones let go of. A failed statement closes its
    connection and is tried once more on a new one; failing again, it is raised as SQLAlchemy's error of its kind,
    as a read through the app engine would raise it.
    """

    KEEP = 8
    NAME = b"hti_publication_state"
    VERSION_NAME = b"hti_public_version"
    #: The version, its table and the transaction that last wrote its row: a row deleted and made again with a number
    #: read before (by hand, or a restore's new table) is another row, so it is not taken for the same state.
    VERSION = "SELECT version, tableoid, xmin FROM public_content_version WHERE id = 1"
    #: The tables whose triggers raise the version (migration 0024), in place and enabled: their count.
    TRIGGERS = ("SELECT count(DISTINCT tgrelid) FROM pg_trigger WHERE tgname = 'hti_public_content_version' "
                "AND tgenabled <> 'D' AND tgrelid IN ({tables})")
    #: The session's settings that the text of the rows depends on (`_text_rows` reads that text).
    OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,MDY"

    def __init__(self, engine: Engine, statement: str) -> None:
        import psycopg

        from ..public.content_version import WATCHED

        self._psycopg = psycopg
        _args, arguments = engine.dialect.create_connect_args(engine.url)
        arguments.pop("context", None)
        options = " ".join(filter(None, (arguments.pop("options", ""), self.OPTIONS)))
        self._arguments = {**arguments, "options": options, "application_name": READER_NAME, "autocommit": True}
        self.statement = statement
        self._watched = len(WATCHED)
        self._triggers = self.TRIGGERS.format(tables=", ".join(f"to_regclass('{name}')" for name in sorted(WATCHED)))
        self._idle: list = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        #: (the version and its table's oid as read, the rows read after it), or None.
        self._kept: tuple | None = None
        #: Reads of the whole state (the others read the version only): for tests and curiosity.
        self.full_reads = 0

    def rows(self) -> tuple[tuple[bytes | None, ...], ...]:
        try:
            return self._read()
        except _Dropped:
            return self._read()  # once more, on a new connection (`_read` let go of the kept ones)
        except _Failed:
            # A statement that failed on a kept connection may answer on a new one: a migration that changed a
            # column's type leaves the prepared plan unusable ("cached plan must not change result type").
            try:
                return self._read()
            except _Failed as again:
                raise again.error from None

    def _read(self) -> tuple[tuple[bytes | None, ...], ...]:
        connection = self._checkout()
        version = None
        if connection.hti_version_raised:
            found = self._execute(connection, self.VERSION_NAME, self.VERSION)
            version = found[0] if found else None  # no row: nothing to go by, the whole state is read
            kept = self._kept
            if version is not None and kept is not None and kept[0] == version:
                self._keep(connection)
                return kept[1]
        rows = self._execute(connection, self.NAME, self.statement)
        self.full_reads += 1
        self._kept = None if version is None else (version, rows)
        self._keep(connection)
        return rows

    def _execute(self, connection, name: bytes, statement: str) -> tuple[tuple[bytes | None, ...], ...]:
        pq = self._psycopg.pq
        result = connection.pgconn.exec_prepared(name, None)
        if result.status != pq.ExecStatus.TUPLES_OK:
            self._kept = None
            if connection.pgconn.status != pq.ConnStatus.OK:
                connection.close()
                self.dispose()
                raise _Dropped
            connection.close()  # its prepared statement may fail again on it
            raise _Failed(self._error(result, statement))
        return tuple(tuple(result.get_value(row, column) for column in range(result.nfields))
                     for row in range(result.ntuples))

    def _checkout(self):
        with self._lock:
            if self._pid != os.getpid():  # a forked process: the parent's connections are the parent's
                self._idle, self._pid = [], os.getpid()
            connection = self._idle.pop() if self._idle else None
        if connection is not None:
            return connection
        try:
            connection = self._psycopg.connect(**self._arguments)
        except self._psycopg.Error as error:
            raise DBAPIError.instance(self.statement, None, error, self._psycopg.Error) from error
        pgconn, ok = connection.pgconn, self._psycopg.pq.ExecStatus.COMMAND_OK
        prepared = pgconn.prepare(self.NAME, self.statement.encode())
        if prepared.status != ok:
            connection.close()
            raise self._error(prepared, self.statement)  # an empty database, say: nothing to read yet
        connection.hti_version_raised = self._version_raised(connection) \
            and pgconn.prepare(self.VERSION_NAME, self.VERSION.encode()).status == ok
        return connection

    def _version_raised(self, connection) -> bool:
        """Return whether the database raises the version on every write to the watched tables (their triggers)."""
        result = connection.pgconn.exec_(self._triggers.encode())
        return result.status == self._psycopg.pq.ExecStatus.TUPLES_OK and result.ntuples == 1 \
            and int(result.get_value(0, 0)) == self._watched

    def _keep(self, connection) -> None:
        with self._lock:
            if len(self._idle) < self.KEEP and self._pid == os.getpid():
                self._idle.append(connection)
                return
        connection.close()

    def _error(self, result, statement: str) -> DBAPIError:
        """Return the failed result as SQLAlchemy's error of its kind (ProgrammingError for a missing table…)."""
        errors = self._psycopg.errors
        state = result.error_field(self._psycopg.pq.DiagnosticField.SQLSTATE)
        kind = errors.lookup(state.decode()) if state else self._psycopg.OperationalError
        message = result.error_message.decode("utf-8", "replace").strip()
        return DBAPIError.instance(statement, None, kind(message), self._psycopg.Error)

    def dispose(self) -> None:
        self._kept = None
        with self._lock:
            idle, self._idle = self._idle, []
            if self._pid != os.getpid():
                return
        for connection in idle:
            connection.close()


def _sqlite_file(engine: Engine) -> str | None:
    """Return the file of an SQLite engine that a second connection would share (None: in memory, or a URI)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:") or engine.url.query:
        return None
    return database


def _reader_and_statement(engine: Engine) -> tuple["Engine | _SQLiteReader | _PostgresReader", str]:
    with _READERS_LOCK:
        found = _READERS.get(engine)
        if found is None:
            statement = str(_STATE_QUERY.compile(dialect=engine.dialect))
            if engine.dialect.name == "sqlite":
                path = _sqlite_file(engine)
                if path is None:
                    return engine, ""
                reader = _SQLiteReader(path)
            elif engine.dialect.driver == "psycopg":
                reader = _PostgresReader(engine, statement)
            else:
                return engine, ""
            event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
            found = _READERS[engine] = (reader, statement)
    return found


def _read_state_rows(engine: Engine) -> tuple[tuple, ...]:
    """Return (year, published_at, data_version, content version) of every year with results (on PostgreSQL as
    the server's text: see `_text_rows`)."""
    reader, statement = _reader_and_statement(engine)
    if reader is engine:
        with engine.connect() as connection:
            return tuple(tuple(row) for row in connection.execute(_STATE_QUERY))
    if isinstance(reader, _SQLiteReader):
        return tuple(map(tuple, reader.rows(statement)))
    return reader.rows()


class _Dropped(Exception):
    """The reader's connection was dropped by the server (the reader has let go of the others it kept)."""


class _Failed(Exception):
    """The reader's statement failed on a connection, now closed; `error` is SQLAlchemy's error of its kind."""

    def __init__(self, error: DBAPIError) -> None:
        super().__init__(str(error))
        self.error = error


def _text_rows(rows: tuple[tuple[bytes | None, ...], ...]) -> tuple[tuple, ...]:
    """Return the PostgreSQL reader's rows (the server's text, in UTC and ISO format) as values."""
    return tuple((int(year), None if published_at is None else datetime.fromisoformat(published_at.decode()),
                  data_version.decode(), None if version is None else int(version))
                 for year, published_at, data_version, version in rows)


def publication_state(at: datetime | None = None, engine: Engine | None = None) -> PublicationState:
    """Return the publication moment and data version of every year, judged at `at` (default: now).

    `engine` is the app's database engine (default: the current app's; given by callers outside Flask).
    """
    # Not the session: this runs before every public page and needs no transaction beyond the one statement.
    derived = _derived(_read_state_rows(engine or db.engine))
    return PublicationState(at=as_utc(at or trusted_now()), years=derived.years,
                            content_version=derived.content_version, _derived=derived)


def is_public(year: int, at: datetime | None = None) -> bool:
    """Return whether `year` has results that are public at `at` (default: now)."""
    published_at = db.session.scalar(select(ResultSet.published_at).where(ResultSet.year == year))
    return is_released(published_at, at)


def public_years(at: datetime | None = None) -> tuple[int, ...]:
    """Return the years whose results are public at `at` (default: now), newest first."""
    return publication_state(at).public_years
