"""Release guards: a domain can hold a running send back at claim time ("may this send go out now?")."""
from __future__ import annotations

from sqlalchemy import select

from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.services import send_counts
from hti_comms.delivery.worker import deliver_due

from hti_comms.delivery.owner import Owner
from hti_comms.domain import registry
from hti_comms.release import Hold

from .helpers import enqueue_people, sample_spec


def test_a_gate_holds_its_send_back_and_every_row_waits(app, db, mail_sink):
    held_kinds = {"embargoed-summary"}

    def embargo(send) -> Hold | None:
        return Hold("publiceras inte än") if send.owner.kind in held_kinds else None

    registry().release_guards.append(embargo)  # as a domain's Domain.release_guards would
    try:
        held = enqueue_people(5, sample_spec(kind="embargoed_summary", owner=Owner("tests", "embargoed-summary")),
                              prefix="kommun")
        other = enqueue_people(3, sample_spec(kind="newsletter", owner=Owner("tests", "newsletter")),
                               prefix="prenumerant")
        assert deliver_due() == 3
        assert send_counts(held)[OutboxStatus.QUEUED.value] == 5
        assert db.session.get(Send, held).status is SendStatus.SENDING  # waiting, neither paused nor failed
        assert send_counts(other)[OutboxStatus.SENT.value] == 3

        held_kinds.clear()  # the moment has come
        assert deliver_due() == 5
    finally:
        registry().release_guards.remove(embargo)
    assert sorted(to for _from, (to,) in mail_sink.envelopes)[:5] == [f"kommun{n}@example.se" for n in range(5)]


def test_a_recipient_guard_cancels_only_the_rows_it_refuses_and_the_other_sends_of_the_claim_go_out(app, db,
                                                                                                     mail_sink):
    asked = []

    def entitlement(send, recipients):
        asked.append(send.id)
        return {recipient: "Inte längre behörig" for recipient in recipients if recipient.email.startswith("kommun1")}

    registry().recipient_guards.append(entitlement)  # as a domain's Domain.recipient_guards would
    try:
        guarded = enqueue_people(3, sample_spec(kind="test", owner=Owner("tests", "summary")), prefix="kommun")
        other = enqueue_people(2, sample_spec(kind="newsletter", owner=Owner("tests", "newsletter")),
                               prefix="prenumerant")
        assert deliver_due() == 4
    finally:
        registry().recipient_guards.remove(entitlement)
    assert {guarded, other} <= set(asked)  # one claim held rows of both sends
    rows = {m.email: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.send_id == guarded))}
    assert (rows["kommun1@example.se"].status, rows["kommun1@example.se"].last_error) == (
        OutboxStatus.CANCELLED, "Inte längre behörig")
    assert {rows["kommun0@example.se"].status, rows["kommun2@example.se"].status} == {OutboxStatus.SENT}
    assert send_counts(other)[OutboxStatus.SENT.value] == 2
    assert sorted(to for _from, (to,) in mail_sink.envelopes) == [
        "kommun0@example.se", "kommun2@example.se", "prenumerant0@example.se", "prenumerant1@example.se"]
