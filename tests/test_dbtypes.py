"""Partial indexes (hti_comms.dbtypes.PartialIndex): the same as `Index(..., postgresql_where=, sqlite_where=)`."""
from __future__ import annotations

import re

from sqlalchemy import Index, MetaData, Column, Integer, String, Table, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex

from hti_comms.dbtypes import PartialIndex
from hti_comms.extensions import db


def _partial_indexes() -> list[PartialIndex]:
    return [index for table in db.metadata.tables.values() for index in table.indexes
            if isinstance(index, PartialIndex)]


def _condition(sql) -> str:
    """Return a WHERE condition as comparable text (PostgreSQL adds brackets and casts when it reports one)."""
    condition = re.sub(r"::[a-z ]+(\[\])?", "", str(sql).lower())
    condition = re.sub(r"[\s()]", "", condition)
    return re.sub(r"=anyarray\[(.*?)\]", r"in\1", condition)


def test_a_partial_index_compiles_as_an_index_given_both_dialects_where():
    where = text("status IN ('sending', 'unknown')")
    plain = Table("plain", MetaData(), Column("id", Integer, primary_key=True), Column("status", String(20)))
    lazy = Table("lazy", MetaData(), Column("id", Integer, primary_key=True), Column("status", String(20)))
    given = Index("ix_status", plain.c.status, unique=True, postgresql_where=where, sqlite_where=where)
    partial = PartialIndex("ix_status", lazy.c.status, unique=True, where=where)
    for dialect in (postgresql.dialect(), sqlite.dialect()):
        ddl = str(CreateIndex(partial).compile(dialect=dialect))
        assert ddl == str(CreateIndex(given).compile(dialect=dialect)).replace("plain", "lazy")
        assert ddl.endswith("WHERE status IN ('sending', 'unknown')")
    assert dict(partial.dialect_kwargs) == dict(given.dialect_kwargs) == {"postgresql_where": where,
                                                                          "sqlite_where": where}
    assert partial.dialect_options["postgresql"]["where"] is where


def test_the_models_partial_indexes_are_those_the_migrations_made(db):
    """The metadata says what the migrated database has: the same columns, uniqueness and condition."""
    partial = _partial_indexes()
    assert {index.name for index in partial} == {"ix_outbox_message_status", "uq_report_order_year_municipality"}
    inspector = inspect(db.engine)
    dialect = db.engine.dialect.name
    for index in partial:
        found = {row["name"]: row for row in inspector.get_indexes(index.table.name)}[index.name]
        assert found["column_names"] == [column.name for column in index.columns]
        assert bool(found["unique"]) == bool(index.unique)
        reported = found.get("dialect_options", {}).get(f"{dialect}_where")
        assert reported is not None, found
        assert _condition(reported) == _condition(index.dialect_options[dialect]["where"])
