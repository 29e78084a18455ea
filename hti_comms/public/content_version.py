"""The public content version: raised in the same transaction as every change to what public results pages show.

A municipality's public page shows, besides the results, the links and the action plan staff keep; both can
change at any moment and must show on the next request. It is also raised by every change to a result set or a
publication moment (part of the publication state on their own): the caching proxies are told of every new
version (`proxy_ban`), after its commit and outside the request that made it. The version is read in the same
statement as the publication state (`results.publication`) and is part of `PublicationState.public_version`, so
the replay layer and the page cache keep the page only under the same version: the municipality page can be
answered without Flask, and a change shows at once.

Every write to the watched tables through the ORM session raises it: objects flushed (added, changed, deleted)
and bulk UPDATE/DELETE statements run through the session. Writes that bypass the session must call `bump`.
"""
from __future__ import annotations

from itertools import chain

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session

#: The tables whose rows a public page shows besides the results, and those of the results and their moments.
WATCHED = frozenset({"follow_up_link", "action_measure", "result_set", "publication_moment"})
#: One statement on both databases (SQLite ≥ 3.24 and PostgreSQL): the row is made when missing.
_BUMP = text("INSERT INTO public_content_version (id, version) VALUES (1, 1) "
             "ON CONFLICT (id) DO UPDATE SET version = public_content_version.version + 1")


def bump(session: Session) -> None:
    """Raise the version in the session's transaction (the caching proxies are told of it after its commit)."""
    session.connection().execute(_BUMP)


def _after_flush(session: Session, _flush_context) -> None:
    if any(getattr(item, "__tablename__", None) in WATCHED
           for item in chain(session.new, session.dirty, session.deleted)):
        bump(session)


def _before_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED:
        bump(state.session)


def install() -> None:
    """Listen to every ORM session (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _before_bulk)
