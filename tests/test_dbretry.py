"""The reconnect loop the send worker and the scheduler share, against a real database that goes away."""
from __future__ import annotations

import logging
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from hti_comms.dbretry import Reconnector, Unavailable
from hti_comms.delivery.models import Suppression
from hti_comms.delivery.services import suppress


def break_the_session_connection(db) -> object:
    """Make the session's next statement fail as in an outage; return what ends the outage (or None)."""
    url = make_url(db.engine.url)
    if url.get_backend_name() == "postgresql":
        own_pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # the session now holds this connection
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": own_pid})
        admin.dispose()
        return None
    db.session.execute(text("PRAGMA busy_timeout = 50"))
    db.session.commit()
    holder = sqlite3.connect(url.database)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_lost_connection_is_rolled_back_logged_once_and_retried(app, db, caplog):
    caplog.set_level(logging.WARNING, logger="hti_comms.dbretry")
    stop = threading.Event()
    reconnect = Reconnector("test loop", stop, first_delay=0.01)

    def work():
        suppress("eva@example.se", "staff")
        db.session.commit()
        return "done"

    db.session.scalar(select(func.count()).select_from(Suppression))  # check out a connection
    holder = break_the_session_connection(db)
    with pytest.raises(Unavailable):
        reconnect.attempt(work)
    if holder is not None:  # SQLite: the lock is still held, so the outage goes on
        with pytest.raises(Unavailable):
            reconnect.attempt(work)
        assert reconnect.failures == 2 and reconnect.next_delay() == pytest.approx(0.02)  # backoff doubles
    assert reconnect.is_down
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("test loop: lost the database")

    if holder is not None:
        holder.rollback()
        holder.close()
    assert reconnect.attempt(work) == "done"  # the session works again: no PendingRollbackError
    assert not reconnect.is_down and reconnect.failures == 0
    assert caplog.records[-1].getMessage().startswith("test loop: the database is back after")
    assert db.session.scalar(select(Suppression.email)) == "eva@example.se"
