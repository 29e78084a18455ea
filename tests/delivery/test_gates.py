"""Release guards: a domain can hold a running send back at claim time ("may this send go out now?")."""
from __future__ import annotations

from hti_comms.delivery.models import OutboxStatus, Send, SendStatus
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
