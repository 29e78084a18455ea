"""Every SMTP fault, against a real aiosmtpd server that misbehaves on purpose, and what the outbox records."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus
from hti_comms.delivery.outbox import Recipient, enqueue
from hti_comms.delivery.services import is_suppressed
from hti_comms.delivery.unknowns import Decision, resolve_unknowns
from hti_comms.delivery.sink import SINK_HOST, MemorySink
from hti_comms.delivery.worker import deliver_due

from .helpers import sample_spec


class FaultyHandler:
    """Answers according to the recipient's local part: 421, 451, 550, or drops the connection."""

    def __init__(self, sink: MemorySink):
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, options):
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split("@")[0]
        if local == "busy":
            return "421 4.3.2 Service not available, closing channel"
        if local == "later":
            return "451 4.7.1 Greylisted, try again later"
        if local == "nobody":
            return "550 5.1.1 No such user"
        if local == "drop-before":
            server.transport.close()
            return "250 OK"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if envelope.rcpt_tos[0].startswith("drop-after"):
            server.transport.close()
            return "250 OK"
        if envelope.rcpt_tos[0].startswith("rejected"):
            return "554 5.6.0 Message content rejected"
        self.sink.store(envelope.mail_from, envelope.rcpt_tos, envelope.content)
        return "250 OK"


@pytest.fixture
def faulty_smtp(app):
    sink = MemorySink()
    sink.start(handler=FaultyHandler(sink))
    app.config.update(SMTP_HOST=SINK_HOST, SMTP_PORT=sink.port, SMTP_POOL_SIZE=1)
    yield sink
    sink.stop()


def statuses(db) -> dict[str, tuple[OutboxStatus, int, bool]]:
    rows = db.session.scalars(select(OutboxMessage))
    return {m.email.split("@")[0]: (m.status, m.attempts, m.retry_after is not None) for m in rows}


def test_each_fault_lands_in_the_right_status(app, db, faulty_smtp):
    names = ["ok1", "busy", "later", "nobody", "drop-before", "drop-after", "rejected", "ok2"]
    enqueue(sample_spec(list_key="nyhetsbrev"), [Recipient(f"{n}@example.se", n) for n in names])
    db.session.commit()
    assert deliver_due() == 2
    assert statuses(db) == {
        "ok1": (OutboxStatus.SENT, 1, False),
        "busy": (OutboxStatus.DEFERRED, 1, True),
        "later": (OutboxStatus.DEFERRED, 1, True),
        "nobody": (OutboxStatus.FAILED, 1, False),
        "drop-before": (OutboxStatus.DEFERRED, 1, True),
        "drop-after": (OutboxStatus.UNKNOWN, 1, False),
        "rejected": (OutboxStatus.FAILED, 1, False),
        "ok2": (OutboxStatus.SENT, 1, False),
    }
    assert is_suppressed("nobody@example.se")          # a hard bounce blocks future list mail
    assert not is_suppressed("rejected@example.se")    # a refused message is not a bad address
    later = db.session.scalar(select(OutboxMessage).where(OutboxMessage.email == "later@example.se"))
    assert "451" in later.last_error
    assert len(faulty_smtp.raw_messages) == 2


def test_deferred_rows_back_off_exponentially_and_unknown_is_never_retried(app, db, faulty_smtp):
    enqueue(sample_spec(), [Recipient("later@example.se"), Recipient("drop-after@example.se")])
    db.session.commit()
    start = clock.now()
    deliver_due()
    retry_times = []
    for _attempt in range(3):
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.email == "later@example.se"))
        retry_times.append(row.retry_after)
        assert deliver_due() == 0  # not due yet: nothing is tried again early
        clock.set_now(row.retry_after + timedelta(seconds=1))
        deliver_due()
    gaps = [round((b - a).total_seconds()) for a, b in zip([start, *retry_times], retry_times)]
    assert gaps[0] == pytest.approx(60, abs=2)
    assert gaps[1] == pytest.approx(121, abs=3) and gaps[2] == pytest.approx(241, abs=3)
    unknown = db.session.scalar(select(OutboxMessage).where(OutboxMessage.email == "drop-after@example.se"))
    assert (unknown.status, unknown.attempts) == (OutboxStatus.UNKNOWN, 1)


def test_deferred_row_fails_after_the_last_attempt(app, db, faulty_smtp):
    app.config["SEND_MAX_ATTEMPTS"] = 2
    enqueue(sample_spec(), [Recipient("later@example.se")])
    db.session.commit()
    deliver_due()
    clock.set_now(clock.now() + timedelta(hours=1))
    deliver_due()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status is OutboxStatus.FAILED
    assert row.last_error.startswith("Gav upp efter 2 försök")


def test_staff_decide_about_unknown_messages(app, db, mail_sink):
    enqueue(sample_spec(), [Recipient("eva@example.se", "Eva")])
    db.session.commit()
    row = db.session.scalar(select(OutboxMessage))
    row.status = OutboxStatus.UNKNOWN
    db.session.commit()
    assert deliver_due() == 0
    assert resolve_unknowns(row.send_id, Decision.SEND_AGAIN) == 1
    assert deliver_due() == 1
    assert len(mail_sink.wait_for(1)) == 1
