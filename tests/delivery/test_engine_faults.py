"""The engine under faults, in this process against real SMTP servers: broken sends, systemic refusals,
leases outlived by slow sending, rows that lost their worker too often (connections lost during DATA, before and
after the final dot: test_relay_faults.py)."""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select, update

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.outbox import EmailBuildError, Recipient, enqueue
from hti_comms.delivery.pool import Result
from hti_comms.delivery.services import is_suppressed, resume_send
from hti_comms.delivery.sink import SINK_HOST, MemorySink, StoringHandler, free_port
from hti_comms.delivery.smtp import Delivery, Outcome
from hti_comms.delivery.worker import Worker, deliver_due
from tests.helpers import form_csrf_token

from .helpers import enqueue_people, sample_spec

BASE = '{% extends "emails/base.html" %}{% block content %}<p>Hej {{ recipient.name }}!</p>BODY{% endblock %}'
BASE_TEXT = '{% extends "emails/base.txt" %}{% block content %}Hej {{ recipient.name }}!\nBODY{% endblock %}'


@pytest.fixture
def templates(app):
    """Email templates of this test's own (as if a deploy changed them), in front of the real ones."""
    mapping: dict[str, str] = {}
    original = app.jinja_env.loader
    app.jinja_env.loader = ChoiceLoader([DictLoader(mapping), original])

    def write(name: str, body: str) -> None:
        mapping[f"emails/{name}.html"] = BASE.replace("BODY", body)
        mapping[f"emails/{name}.txt"] = BASE_TEXT.replace("BODY", body)
        app.jinja_env.cache.clear()

    yield write
    app.jinja_env.loader = original
    app.jinja_env.cache.clear()


def statuses(send_id: int) -> Counter:
    return Counter(status for (status,) in
                   select_rows(select(OutboxMessage.status).where(OutboxMessage.send_id == send_id)))


def select_rows(statement):
    from hti_comms.extensions import db

    db.session.expire_all()
    return db.session.execute(statement).all()


# --- defect 3: one send that cannot be built ----------------------------------------------------------------

@pytest.mark.parametrize("body, detail", [
    ("{% if %}", "rad 1"),                                    # does not compile
    ("{{ event.starts_at.strftime('%H') }}", "UndefinedError"),  # compiles, but cannot render with this context
])
def test_enqueue_refuses_an_email_that_cannot_be_built_and_saves_nothing(app, db, templates, body, detail):
    templates("test/broken", body)
    with pytest.raises(EmailBuildError, match="Brevet kunde inte byggas") as error:
        enqueue(sample_spec(template="test/broken"), [Recipient("eva@example.se", "Eva")])
    assert detail in str(error.value)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Send)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_send_that_breaks_after_enqueue_is_paused_and_every_other_send_goes_on(app, db, templates, mail_sink,
                                                                                 staff_login):
    templates("test/changing", "<p>Välkommen till kursen.</p>")
    broken_id = enqueue_people(30, sample_spec(template="test/changing", subject="Kursinbjudan"), prefix="kurs")
    good_id = enqueue_people(20, sample_spec(subject="Nyhetsbrev"), prefix="nyhet")
    templates("test/changing", "<p>{{ course.starts_at.strftime('%H') }}</p>")  # a deploy broke it

    assert deliver_due() == 20
    assert statuses(good_id) == {OutboxStatus.SENT: 20}
    broken = db.session.get(Send, broken_id)
    assert broken.status is SendStatus.PAUSED and broken.is_flagged
    assert "Brevet kunde inte byggas" in broken.pause_reason and "UndefinedError" in broken.pause_reason
    counts = statuses(broken_id)
    assert counts[OutboxStatus.FAILED] > 0 and counts[OutboxStatus.DEFERRED] == 0
    assert counts[OutboxStatus.FAILED] + counts[OutboxStatus.QUEUED] == 30
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED))
    assert failed.last_error.startswith("Brevet kunde inte byggas")
    assert deliver_due() == 0  # nothing loops: the paused send stays paused

    listing = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "har stoppats: Brevet kunde inte byggas" in listing
    page = staff_login.get(f"/admin/utkorg/{broken_id}").get_data(as_text=True)
    assert 'id="pause-reason"' in page and "UndefinedError" in page
    assert staff_login.get(f"/admin/utkorg/{broken_id}/status.json").json["pause_reason"].startswith("Brevet")

    templates("test/changing", "<p>Välkommen till kursen, nu rättad.</p>")  # fixed
    token = form_csrf_token(staff_login, f"/admin/utkorg/{broken_id}")
    staff_login.post(f"/admin/utkorg/{broken_id}/fortsatt", data={"csrf_token": token, "confirmed": "1"})
    assert deliver_due() == 30
    assert statuses(broken_id) == {OutboxStatus.SENT: 30}
    received = Counter(to for _from, (to,) in mail_sink.envelopes)
    assert len(received) == 50 and set(received.values()) == {1}


def test_messages_that_fail_to_build_fail_at_once_and_stop_their_send(app, db, mail_sink, tmp_path):
    broken_key = tmp_path / "dkim.pem"
    broken_key.write_text("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n")
    app.config.update(SMTP_POOL_SIZE=1, DKIM_PRIVATE_KEY_PATH=str(broken_key), DKIM_SELECTOR="hti",
                      DKIM_DOMAIN="spfseniorerna.se")
    send_id = enqueue_people(8)
    assert deliver_due() == 0
    counts = statuses(send_id)
    # Internal errors are failures (retrying cannot help), never deferrals that go on for hours; after three
    # in a row the send is paused instead of failing every recipient.
    assert counts == {OutboxStatus.FAILED: 3, OutboxStatus.QUEUED: 5}
    send = db.session.get(Send, send_id)
    assert send.status is SendStatus.PAUSED and "Brevet kunde inte byggas" in send.pause_reason
    assert mail_sink.raw_messages == []


def test_a_row_whose_worker_kept_dying_fails_instead_of_looping(app, db, mail_sink):
    app.config["SEND_MAX_ATTEMPTS"] = 3
    send_id = enqueue_people(2)
    db.session.execute(update(OutboxMessage).where(OutboxMessage.email == "person0@example.se")
                       .values(status=OutboxStatus.SENDING, attempts=3, claim_token="dead-worker",
                               lease_until=clock.now() - timedelta(seconds=1)))
    db.session.commit()
    assert deliver_due() == 1
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.email == "person0@example.se"))
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    assert row.last_error.startswith("Gav upp efter 3 försök")
    assert statuses(send_id) == {OutboxStatus.FAILED: 1, OutboxStatus.SENT: 1}


# --- defect 4: a systemic refusal pauses the send, the rows wait ---------------------------------------------

class RefusingHandler(StoringHandler):
    """Refuses the sender (MAIL FROM) or the relaying (RCPT) until `refusing` is cleared."""

    def __init__(self, store, stage: str):
        super().__init__(store)
        self.stage = stage
        self.refusing = True

    async def handle_MAIL(self, server, session, envelope, address, options):
        if self.refusing and self.stage == "mail":
            return "554 5.7.1 <hemtjanstindex@spfseniorerna.se>: Sender address rejected: not owned by user"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refusing and self.stage == "rcpt":
            return f"554 5.7.1 <{address}>: Relay access denied"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.parametrize("stage", ["mail", "rcpt"])
def test_a_refused_sender_or_relay_pauses_the_send_and_resume_sends_every_row(app, db, staff_login, stage):
    sink = MemorySink()
    handler = RefusingHandler(sink.store, stage)
    sink.start(handler=handler)
    app.config.update(SMTP_HOST=SINK_HOST, SMTP_PORT=sink.port, SMTP_POOL_SIZE=2)
    try:
        send_id = enqueue_people(40, sample_spec(list_key="nyhetsbrev"))
        assert deliver_due() == 0
        assert statuses(send_id) == {OutboxStatus.QUEUED: 40}
        assert db.session.scalar(select(func.max(OutboxMessage.attempts))) == 0  # no attempt was burnt
        assert not is_suppressed("person0@example.se")  # the addresses are fine
        send = db.session.get(Send, send_id)
        assert send.status is SendStatus.PAUSED and "554 5.7.1" in send.pause_reason
        page = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
        assert "E-postservern tar inte emot breven från oss" in page and "554 5.7.1" in page

        handler.refusing = False  # the relay is fixed
        token = form_csrf_token(staff_login, f"/admin/utkorg/{send_id}")
        staff_login.post(f"/admin/utkorg/{send_id}/fortsatt", data={"csrf_token": token, "confirmed": "1"})
        assert deliver_due() == 40
        received = Counter(to for _from, (to,) in sink.envelopes)
        assert len(received) == 40 and set(received.values()) == {1}
        assert db.session.get(Send, send_id).pause_reason is None
    finally:
        sink.stop()


def test_an_unreachable_server_pauses_the_send_before_rows_burn_their_attempts(app, db):
    port = free_port()  # nothing listens here: every connection is refused
    app.config.update(SMTP_HOST=SINK_HOST, SMTP_PORT=port, SMTP_POOL_SIZE=1, SEND_MAX_ATTEMPTS=2)
    send_id = enqueue_people(30)
    for _round in range(3):
        deliver_due()
        clock.set_now(clock.now() + timedelta(hours=7))  # every retry is due
    counts = statuses(send_id)
    assert counts[OutboxStatus.FAILED] == 0 and counts[OutboxStatus.SENT] == 0
    assert counts[OutboxStatus.QUEUED] + counts[OutboxStatus.DEFERRED] == 30
    send = db.session.get(Send, send_id)
    assert send.status is SendStatus.PAUSED and "gick inte att nå" in send.pause_reason

    sink = MemorySink().start(port=port)  # the server is back
    try:
        resume_send(send_id)
        assert deliver_due() == 30
        assert len(sink.wait_for(30)) == 30
    finally:
        sink.stop()


def test_a_single_refused_recipient_still_fails_and_is_suppressed_without_pausing(app, db):
    sink = MemorySink()

    class OneBadAddress(StoringHandler):
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("person3@"):
                return "550 5.1.1 <person3@example.se>: Recipient address rejected: User unknown"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    sink.start(handler=OneBadAddress(sink.store))
    app.config.update(SMTP_HOST=SINK_HOST, SMTP_PORT=sink.port)
    try:
        send_id = enqueue_people(10, sample_spec(list_key="nyhetsbrev"))
        assert deliver_due() == 9
        assert statuses(send_id) == {OutboxStatus.SENT: 9, OutboxStatus.FAILED: 1}
        assert is_suppressed("person3@example.se")
        assert db.session.get(Send, send_id).status is SendStatus.DONE
    finally:
        sink.stop()


# --- defect 2: sending that outlasts the lease ---------------------------------------------------------------

def test_a_slow_worker_renews_its_leases_and_never_sends_a_row_twice(app, db, mail_sink):
    # 60 messages at 30 per second take two seconds, twice the lease.
    app.config.update(SEND_LEASE_SECONDS=1, SMTP_RATE_PER_SECOND=30, SMTP_POOL_SIZE=2, SEND_BATCH_SIZE=200)
    send_id = enqueue_people(60)
    assert deliver_due() == 60
    received = Counter(to for _from, (to,) in mail_sink.envelopes)
    assert len(received) == 60 and set(received.values()) == {1}
    assert statuses(send_id) == {OutboxStatus.SENT: 60}
    assert Worker(app).capacity == 15  # never holds more than it can send in half a lease


def test_an_outcome_is_only_written_while_the_claim_is_still_this_workers(app, db):
    enqueue_people(2)
    worker = Worker(app)
    jobs = worker.claim(10)
    assert len(jobs) == 2
    # The lease ran out and another worker claimed the first row meanwhile.
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == jobs[0].outbox_id)
                       .values(claim_token="another-worker"))
    db.session.commit()
    worker.record([Result(job, Delivery(Outcome.SENT)) for job in jobs])
    rows = {m.id: m for m in db.session.scalars(select(OutboxMessage).execution_options(populate_existing=True))}
    assert (rows[jobs[0].outbox_id].status, rows[jobs[0].outbox_id].claim_token) == (OutboxStatus.SENDING,
                                                                                     "another-worker")
    assert rows[jobs[1].outbox_id].status is OutboxStatus.SENT


def test_a_send_paused_while_the_worker_holds_its_rows_is_noticed_within_the_housekeeping_interval(app, db):
    send_id = enqueue_people(4)
    worker = Worker(app)
    pool = worker.pool  # its threads wait for jobs; none is given here
    try:
        assert len(worker.claim(2)) == 2
        db.session.execute(update(Send).where(Send.id == send_id).values(status=SendStatus.PAUSED))
        db.session.commit()
        # The claim read the running sends: the housekeeping's next reading is a whole interval away.
        worker.housekeeping()
        assert send_id not in pool.stopped
        worker._next_housekeeping = time.monotonic()  # the interval has passed
        worker.housekeeping()
        assert send_id in pool.stopped  # its held rows are skipped from now on
    finally:
        worker.close()
