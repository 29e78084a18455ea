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

import threading
import weakref
from dataclasses import dataclass
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

    def is_public(self, year: int) -> bool:
        state = self.years.get(year)
        return state is not None and is_released(state.published_at, self.at)

    @property
    def public_years(self) -> tuple[int, ...]:
        """Return the public years, newest first."""
        return tuple(sorted((y for y in self.years if self.is_public(y)), reverse=True))

    def ranking_version(self, year: int) -> tuple:
        """Return what the year's ranking is computed from: its data and the previous year's (for changes)."""
        previous = self.years.get(year - 1)
        return (self.years[year].data_version, previous.data_version if previous else None)

    @property
    def public_version(self) -> tuple:
        """Return a key that changes whenever anything public changes: a new public year, a re-import, or a change to
        follow-up links or action plans (the content version)."""
        return (self.content_version, *((y, self.years[y].data_version,
                                         as_utc(self.years[y].published_at).isoformat()) for y in self.public_years))

    @property
    def next_change_at(self) -> datetime | None:
        """Return the next publication moment after `at` (when public pages change next), or None."""
        upcoming = [as_utc(s.published_at) for s in self.years.values()
                    if s.published_at is not None and as_utc(s.published_at) > self.at]
        return min(upcoming, default=None)


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


def _reader(engine: Engine) -> Engine:
    """Return the engine for the publication read on every public request, for the app engine `engine`.

    On PostgreSQL a read through the app's pool costs four round trips: the pool's liveness ping, BEGIN, the
    statement and the ROLLBACK when the connection goes back. This engine, to the same database, reads in
    autocommit with no ping and no reset: one round trip. A connection the server dropped is found by the read
    itself, which is then made once more on a new connection. The reader is disposed with the app engine.
    SQLite has no round trips to save: its reads use the app engine.
    """
    return _reader_and_statement(engine)[0]


def _reader_and_statement(engine: Engine) -> tuple[Engine, str]:
    if engine.dialect.name == "sqlite":
        return engine, ""
    with _READERS_LOCK:
        found = _READERS.get(engine)
        if found is None:
            reader = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                   pool_reset_on_return=None, pool_size=2, max_overflow=8,
                                   connect_args={"application_name": READER_NAME})
            event.listen(engine, "engine_disposed", lambda _engine: reader.dispose())
            found = _READERS[engine] = (reader, str(_STATE_QUERY.compile(dialect=reader.dialect)))
    return found


def _read_state_rows(engine: Engine) -> list[tuple]:
    """Return (year, published_at, data_version) of every year with results."""
    reader, statement = _reader_and_statement(engine)
    if reader is engine:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(_STATE_QUERY)]
    # The driver's own cursor: the statement has no parameters and its three columns need no conversion
    # (`as_utc` below does what the column type would), and the read is a third cheaper without the layers.
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
    rows = _read_state_rows(engine or db.engine)
    return PublicationState(at=as_utc(at or trusted_now()), years={
        year: YearState(year, as_utc(published_at) if published_at is not None else None, data_version)
        for year, published_at, data_version, _content in rows}, content_version=rows[0][3] if rows else None)


def is_public(year: int, at: datetime | None = None) -> bool:
    """Return whether `year` has results that are public at `at` (default: now)."""
    published_at = db.session.scalar(select(ResultSet.published_at).where(ResultSet.year == year))
    return is_released(published_at, at)


def public_years(at: datetime | None = None) -> tuple[int, ...]:
    """Return the years whose results are public at `at` (default: now), newest first."""
    return publication_state(at).public_years
