"""Column types and index kinds shared by all domains."""
from __future__ import annotations

from datetime import datetime, timezone
from functools import cached_property

from sqlalchemy import DateTime, Index
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite would otherwise return naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use hti_comms.clock.now()")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class PartialIndex(Index):
    """An index of only the rows `where` selects: `Index(..., postgresql_where=where, sqlite_where=where)`.

    SQLAlchemy checks dialect options such as `postgresql_where` by importing the dialect, so naming them in a
    model made every process import the models of both databases' dialects (PostgreSQL's with all its drivers,
    about 20 ms of every start) whichever database it uses. Here the two options are checked and filled in when
    something first reads the index's dialect options (creating it, comparing it, reflecting), with the same
    result as passing them to `Index`.
    """

    DIALECTS = ("postgresql", "sqlite")

    def __init__(self, name: str, *expressions, where: TextClause, **kwargs) -> None:
        super().__init__(name, *expressions, **kwargs)
        self.where = where

    @cached_property
    def dialect_options(self):
        # Stored before the check below, which reads it (the base class makes it the same way).
        options = self.__dict__["dialect_options"] = Index.dialect_options.fget(self)
        self._validate_dialect_kwargs({f"{dialect}_where": self.where for dialect in self.DIALECTS})
        return options
