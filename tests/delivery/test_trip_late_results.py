"""A send the circuit breaker stopped: every row in flight when it tripped waits, however its results come in.

With several SMTP connections, a wrong password fails on each of them at nearly the same moment, and their results
may reach the worker in different batches. The first batch hands the trip over (the send is paused); the rows whose
results come later must wait unsent too, not count as a failed attempt of their recipient.
"""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from hti_comms.delivery.claims import OutboxClaims
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.pool import Result
from hti_comms.delivery.smtp import Delivery, Fault, Outcome

from .helpers import enqueue_people

LOGIN_REFUSED = "SMTP-inloggningen misslyckades: 535 5.7.8 Authentication credentials invalid"


def test_rows_whose_results_come_after_the_trip_wait_too(app, db):
    send_id = enqueue_people(3)
    claims = OutboxClaims(app)
    pool = claims._pool = SimpleNamespace(trips={}, stopped=set())
    jobs = claims.claim(10)
    assert len(jobs) == 3
    refused = Delivery(Outcome.DEFERRED, LOGIN_REFUSED, fault=Fault.SENDER)

    # The first connection's refusal trips the breaker (as SenderPool.trip does); its result comes alone.
    pool.trips[send_id] = LOGIN_REFUSED
    pool.stopped.add(send_id)
    claims.record([Result(jobs[0], refused)])
    assert pool.trips == {}  # the trip was handed over: the send is paused in the database
    # The other two connections were already past their check when it tripped; their results come later.
    claims.record([Result(jobs[1], refused), Result(jobs[2], refused)])

    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.send_id == send_id)).all()
    assert sorted((row.status, row.attempts) for row in rows) == [(OutboxStatus.QUEUED, 0)] * 3
    assert db.session.get(Send, send_id).status is SendStatus.PAUSED


def test_a_fault_of_a_send_that_is_not_stopped_counts_as_an_attempt(app, db):
    """The other side of the rule: a refusal for a running send is its row's failed attempt (tried again later)."""
    send_id = enqueue_people(1)
    claims = OutboxClaims(app)
    claims._pool = SimpleNamespace(trips={}, stopped=set())
    [job] = claims.claim(10)
    claims.record([Result(job, Delivery(Outcome.DEFERRED, "451 4.3.0 try later", fault=Fault.SERVER))])
    db.session.expire_all()
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.send_id == send_id))
    assert (row.status, row.attempts) == (OutboxStatus.DEFERRED, 1)
