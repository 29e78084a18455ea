"""The approvals guard judges every running send of a claim with one question: the latest request about each send
decides, whatever other sends are in the same claim."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hti_comms.approvals.models import ApprovalRequest, ApprovalStatus
from hti_comms.approvals.services import approve, ask
from hti_comms.auth.roles import Role
from hti_comms.delivery.models import OutboxMessage, OutboxStatus
from hti_comms.delivery.owner import Owner
from hti_comms.delivery.worker import deliver_due
from tests.helpers import make_staff


@pytest.fixture
def people(app, db):
    app.config["APPROVAL_THRESHOLD"] = 2
    return {name: make_staff(f"{name}@spf.example", roles=[Role.UTSKICK], name=name.title()) for name in ("anna", "bo")}


def _statuses(db, send_id: int) -> list[OutboxStatus]:
    return list(db.session.scalars(select(OutboxMessage.status).where(OutboxMessage.send_id == send_id)))


def test_in_one_claim_a_waiting_send_is_held_and_the_approved_and_small_ones_go(app, db, people, mail_sink):
    from flask_login import login_user

    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue

    def spec(name: str) -> EmailSpec:
        return EmailSpec(owner=Owner("tests", "sample", name), template="delivery/test", subject=f"Till {name}",
                         context={}, kind="test_email", reference=f"test:{name}")

    with app.test_request_context():
        login_user(people["anna"])
        waiting = enqueue(spec("waiting"), [Recipient(f"v{n}@exempel.se") for n in range(3)])
        approved = enqueue(spec("approved"), [Recipient(f"g{n}@exempel.se") for n in range(3)])
        small = enqueue(spec("small"), [Recipient("liten@exempel.se")])
        db.session.commit()
        # A second request about the same send withdraws the first; the newer one is approved: the latest decides.
        again = ask("send", Role.UTSKICK, requested_by=people["anna"], title="Till approved igen", send_id=approved.id)
        db.session.commit()
    approve(again.id, people["bo"])
    requests = db.session.scalars(select(ApprovalRequest).where(ApprovalRequest.send_id == approved.id)
                                  .order_by(ApprovalRequest.id)).all()
    assert [r.status for r in requests] == [ApprovalStatus.WITHDRAWN, ApprovalStatus.APPROVED]

    deliver_due()  # the three sends, and the requests to the approvers (never held)
    assert sorted(to for _from, (to,) in mail_sink.envelopes if to.endswith("@exempel.se")) == [
        "g0@exempel.se", "g1@exempel.se", "g2@exempel.se", "liten@exempel.se"]
    assert _statuses(db, waiting.id) == [OutboxStatus.QUEUED] * 3
