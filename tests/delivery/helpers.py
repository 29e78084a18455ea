"""Small builders shared by the delivery tests."""
from __future__ import annotations

from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
from hti_comms.delivery.owner import Owner
from hti_comms.extensions import db


def sample_spec(**overrides) -> EmailSpec:
    values = {"template": "delivery/test", "subject": "Provbrev", "kind": "test",
              "context": {"sent_by": "Karin", "note": ""}, "owner": Owner("tests", "sample")}
    values.update(overrides)
    return EmailSpec(**values)


def enqueue_people(count: int, spec: EmailSpec | None = None, prefix: str = "person") -> int:
    """Enqueue `count` recipients and commit; return the send id."""
    recipients = [Recipient(email=f"{prefix}{n}@example.se", name=f"Person {n}") for n in range(count)]
    send = enqueue(spec or sample_spec(), recipients)
    db.session.commit()
    return send.id
