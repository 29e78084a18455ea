"""Send gates: a domain can hold a running send back at claim time ("may this send go out now?")."""
from __future__ import annotations

from hti_comms.delivery import gates
from hti_comms.delivery.models import OutboxStatus, Send, SendStatus
from hti_comms.delivery.services import send_counts
from hti_comms.delivery.worker import deliver_due

from .helpers import enqueue_people, sample_spec


def test_a_gate_holds_its_send_back_and_every_row_waits(app, db, mail_sink):
    held_kinds = {"embargoed_summary"}

    def embargo(send: Send) -> str | None:
        return "publiceras inte än" if send.kind in held_kinds else None

    gates.register_send_gate(embargo)
    try:
        held = enqueue_people(5, sample_spec(kind="embargoed_summary"), prefix="kommun")
        other = enqueue_people(3, sample_spec(kind="newsletter"), prefix="prenumerant")
        assert deliver_due() == 3
        assert send_counts(held)[OutboxStatus.QUEUED.value] == 5
        assert db.session.get(Send, held).status is SendStatus.SENDING  # waiting, neither paused nor failed
        assert send_counts(other)[OutboxStatus.SENT.value] == 3

        held_kinds.clear()  # the moment has come
        assert deliver_due() == 5
    finally:
        gates.unregister_send_gate(embargo)
    assert sorted(to for _from, (to,) in mail_sink.envelopes)[:5] == [f"kommun{n}@example.se" for n in range(5)]
