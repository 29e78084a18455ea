"""The outbox through its public surface: enqueue, deliver_due to a real SMTP server, suppressions, erasure."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus, SinkMessage
from hti_comms.addresses import InvalidAddress
from hti_comms.delivery.outbox import Attachment, Recipient, enqueue, enqueue_many
from hti_comms.delivery.services import (
    forget_address,
    is_suppressed,
    messages_for,
    send_counts,
    suppress,
    suppressed_emails_query,
)
from hti_comms.delivery.sink import DatabaseSink
from hti_comms.delivery.worker import deliver_due

from .helpers import enqueue_people, sample_spec


def test_enqueue_deduplicates_and_reference_adds_only_new_recipients(app, db):
    spec = sample_spec(reference="brief:2026:0114")
    first = enqueue(spec, [Recipient("Eva@Example.se", "Eva"), Recipient("eva@example.se", "Eva igen"),
                           Recipient("olle@example.se", "Olle", contact_id=5)])
    db.session.commit()
    again = enqueue(spec, [Recipient("olle@example.se"), Recipient("stina@example.se", "Stina")])
    db.session.commit()
    assert again.id == first.id
    rows = db.session.execute(select(OutboxMessage.email, OutboxMessage.name, OutboxMessage.contact_id)
                              .order_by(OutboxMessage.id)).all()
    assert rows == [("eva@example.se", "Eva", None), ("olle@example.se", "Olle", 5),
                    ("stina@example.se", "Stina", None)]


def _statements_of(db, work) -> int:
    from sqlalchemy import event

    count = [0]

    def counted(_connection, _cursor, statement, *_args):
        # The new sends themselves: one INSERT on PostgreSQL; SQLAlchemy inserts them one by one on SQLite,
        # where an INTEGER PRIMARY KEY cannot tell which returned id belongs to which row (no round trips there).
        if not statement.startswith("INSERT INTO send ("):
            count[0] += 1

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        work()
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count[0]


def test_enqueue_many_adds_what_each_send_lacks_in_as_many_statements_for_thirty_sends_as_for_three(app, db):
    for code in ("0114", "2000"):  # each batch has one send that exists already
        enqueue(sample_spec(reference=f"summary:{code}"), [Recipient("eva@example.se", "Eva")])
    db.session.commit()

    def batch(codes):
        return [(sample_spec(reference=f"summary:{code}", subject=f"Sammanfattning {code}"),
                 [Recipient("eva@example.se", "Eva"), Recipient(f"kontakt@{code}.example.se", "Kontakt"),
                  Recipient(f"KONTAKT@{code}.example.se", "Dubblett")], None) for code in codes]

    few = _statements_of(db, lambda: enqueue_many(batch(["0114", "0115", "0117"])))
    db.session.commit()
    many = _statements_of(db, lambda: enqueue_many(batch([f"{2000 + n}" for n in range(30)])))
    db.session.commit()
    assert many == few
    rows = db.session.execute(select(Send.reference, OutboxMessage.email).join(Send)
                              .where(Send.reference.in_(["summary:0114", "summary:0115"]))
                              .order_by(Send.reference, OutboxMessage.id)).all()
    assert rows == [("summary:0114", "eva@example.se"), ("summary:0114", "kontakt@0114.example.se"),
                    ("summary:0115", "eva@example.se"), ("summary:0115", "kontakt@0115.example.se")]
    assert db.session.scalar(select(func.count()).select_from(Send)) == 33
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 66


def test_enqueue_refuses_an_address_that_could_break_the_envelope(app, db):
    with pytest.raises(InvalidAddress, match="är ingen giltig e-postadress"):
        enqueue(sample_spec(), [Recipient("ok@example.se"), Recipient("evil@example.se\r\nRCPT TO:<x@y.se>")])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Send)) == 0


def test_deliver_due_sends_personalised_messages_and_records_them(app, db, mail_sink):
    send_id = enqueue_people(3)
    assert deliver_due() == 3
    messages = mail_sink.wait_for(3)
    greetings = sorted(m.get_body(("plain",)).get_content().split("Hej ")[1].split("!")[0] for m in messages)
    assert greetings == ["Person 0", "Person 1", "Person 2"]
    assert sorted(to for _from, (to,) in mail_sink.envelopes) == [f"person{n}@example.se" for n in range(3)]
    counts = send_counts(send_id)
    assert counts["sent"] == 3 and counts["queued"] == 0
    assert db.session.get(Send, send_id).status is SendStatus.DONE
    assert deliver_due() == 0
    assert len(mail_sink.raw_messages) == 3


def test_bulk_enqueue_of_many_recipients(app, db, mail_sink):
    send_id = enqueue_people(2500)
    assert send_counts(send_id)["queued"] == 2500
    assert deliver_due(limit=10) == 10
    assert send_counts(send_id)["queued"] == 2490


def test_scheduled_send_waits_for_its_time(app, db, mail_sink):
    later = clock.now() + timedelta(hours=2)
    send_id = enqueue_people(2, sample_spec(scheduled_at=later))
    assert deliver_due() == 0
    assert db.session.get(Send, send_id).status is SendStatus.SCHEDULED
    clock.set_now(later + timedelta(seconds=1))
    assert deliver_due() == 2
    assert len(mail_sink.wait_for(2)) == 2


def test_list_mail_skips_suppressed_addresses_but_transactional_mail_does_not(app, db, mail_sink):
    suppress("Person1@example.se", "unsubscribed")
    db.session.commit()
    assert is_suppressed("person1@EXAMPLE.se")
    assert "person1@example.se" in db.session.scalars(suppressed_emails_query()).all()
    list_send = enqueue_people(3, sample_spec(list_key="nyhetsbrev", kind="newsletter"))
    confirmation = enqueue_people(3, sample_spec(kind="confirmation"), prefix="person")
    assert deliver_due() == 5
    assert send_counts(list_send)["suppressed"] == 1
    assert send_counts(confirmation)["sent"] == 3
    list_messages = [m for m in mail_sink.wait_for(5) if m["List-Id"]]
    assert sorted(str(m["To"]) for m in list_messages) == ["Person 0 <person0@example.se>",
                                                            "Person 2 <person2@example.se>"]


def test_suppression_after_enqueue_is_respected_at_send_time(app, db, mail_sink):
    send_id = enqueue_people(2, sample_spec(list_key="nyhetsbrev"))
    suppress("person0@example.se", "complaint")
    db.session.commit()
    assert deliver_due() == 1
    assert send_counts(send_id)["suppressed"] == 1


def test_attachments_reach_the_recipient(app, db, mail_sink):
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    enqueue(sample_spec(attachments=(Attachment("inbjudan.ics", "text/calendar; method=REQUEST", ics),)),
            [Recipient("eva@example.se", "Eva")])
    db.session.commit()
    deliver_due()
    (message,) = mail_sink.wait_for(1)
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "inbjudan.ics"
    assert attachment.get_param("method") == "REQUEST"


def test_messages_for_and_forget_address(app, db, mail_sink):
    enqueue_people(2)
    deliver_due()
    suppress("person0@example.se", "hard_bounce")
    db.session.commit()
    history = messages_for("PERSON0@example.se")
    assert [(m.subject, m.status, m.kind) for m in history] == [("Provbrev", OutboxStatus.SENT, "test")]
    sink = DatabaseSink(app)
    sink.store("hti@spfseniorerna.se", ["person0@example.se", "olle@example.se"], b"Subject: Till Eva\r\n\r\nHej")
    sink.store("hti@spfseniorerna.se", ["xperson0@example.se"], b"Subject: Till Olle\r\n\r\nHej")
    removed = forget_address("person0@example.se")
    db.session.commit()
    assert removed == 3  # the outbox row, the suppression, the sink message
    assert db.session.scalars(select(SinkMessage.subject)).all() == ["Till Olle"]
    assert messages_for("person0@example.se") == []
    assert not is_suppressed("person0@example.se")
    assert len(messages_for("person1@example.se")) == 1
