"""When a year's results are public: the one rule, asked against the application clock on every request.

A year is public when its publication moment (`ResultSet.published_at`, set by staff) is set and the
application clock (`hti_comms.clock.now()`) has reached it. Nothing flips a flag at publication: every
caller asks here, so a stopped scheduler can neither publish early nor keep the results from appearing.

`publication_state()` reads every year's publication moment and data version in one small query (a few rows),
so a public page can decide what it may show and which cached ranking or page it may use in one round trip.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from ..clock import as_utc, now
from ..extensions import db
from .models import ResultSet


def is_released(published_at: datetime | None, at: datetime | None = None) -> bool:
    """Return whether results with this publication moment are public at `at` (default: now)."""
    return published_at is not None and as_utc(at or now()) >= as_utc(published_at)


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
        """Return a key that changes whenever anything public changes: a new public year or a re-import."""
        return tuple((y, self.years[y].data_version, as_utc(self.years[y].published_at).isoformat())
                     for y in self.public_years)

    @property
    def next_change_at(self) -> datetime | None:
        """Return the next publication moment after `at` (when public pages change next), or None."""
        upcoming = [as_utc(s.published_at) for s in self.years.values()
                    if s.published_at is not None and as_utc(s.published_at) > self.at]
        return min(upcoming, default=None)


_STATE_QUERY = select(ResultSet.year, ResultSet.published_at, ResultSet.data_version)


def publication_state(at: datetime | None = None, engine: Engine | None = None) -> PublicationState:
    """Return the publication moment and data version of every year, judged at `at` (default: now).

    `engine` is the app's database engine (default: the current app's; given by callers outside Flask).
    """
    # A connection of its own rather than the session: this runs before every public page, and needs no
    # transaction beyond the one statement (a few rows).
    with (engine or db.engine).connect() as connection:
        rows = connection.execute(_STATE_QUERY).all()
    return PublicationState(at=as_utc(at or now()),
                            years={row.year: YearState(row.year, row.published_at, row.data_version) for row in rows})


def is_public(year: int, at: datetime | None = None) -> bool:
    """Return whether `year` has results that are public at `at` (default: now)."""
    published_at = db.session.scalar(select(ResultSet.published_at).where(ResultSet.year == year))
    return is_released(published_at, at)


def public_years(at: datetime | None = None) -> tuple[int, ...]:
    """Return the years whose results are public at `at` (default: now), newest first."""
    return publication_state(at).public_years
