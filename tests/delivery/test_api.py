"""The delivery API other domains use: sends found by their typed owner, counts, addresses reached, withdrawal
that settles rows a killed worker left claimed, pause and resume."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from hti_comms import clock
from hti_comms.delivery import api
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.outbox import Recipient
from hti_comms.delivery.owner import Owner
from hti_comms.extensions import db

from .helpers import sample_spec

VASBY = Owner.of("publication", "embargo-summary", 2025, "0114")
VALLENTUNA = Owner.of("publication", "embargo-summary", 2025, "0115")
VASBY_2024 = Owner.of("publication", "embargo-summary", 2024, "0114")


def _send(owner: Owner, *emails: str, reference: str | None = None) -> int:
    view = api.enqueue(sample_spec(owner=owner, reference=reference), [Recipient(email) for email in emails])
    db.session.commit()
    return view.id


def test_sends_are_found_by_their_owner_and_nothing_else(app):
    vasby = _send(VASBY, "a@vasby.example.se", "b@vasby.example.se")
    vallentuna = _send(VALLENTUNA, "c@vallentuna.example.se")
    _send(VASBY_2024, "a@vasby.example.se")
    _send(Owner("briefs", "brief", "2025:0114"), "a@vasby.example.se")

    assert [view.id for view in api.sends_for(VASBY)] == [vasby]
    assert api.sends_for(VASBY)[0].owner == VASBY
    found = api.sends_for(domain="publication", kind="embargo-summary", keys=["2025:0114", "2025:0115"])
    assert [view.id for view in found] == [vasby, vallentuna]
    assert len(api.sends_for(domain="publication")) == 3
    assert api.counts(VASBY)["total"] == 2 and api.counts(VASBY)["queued"] == 2
    by_owner = api.counts(domain="publication", kind="embargo-summary", by_owner=True)
    assert {owner: tally["total"] for owner, tally in by_owner.items()} == {VASBY: 2, VALLENTUNA: 1, VASBY_2024: 1}
    assert api.addresses_reached(domain="publication", keys=["2025:0114"]) == {
        VASBY: {"a@vasby.example.se", "b@vasby.example.se"}}
    assert api.addresses_reached(Owner("publication", "embargo-summary", "2025:01")) == {}


def test_every_send_needs_an_owner(app):
    import pytest

    with pytest.raises(ValueError, match="owner"):
        api.enqueue(sample_spec(owner=None), [Recipient("a@example.se")])


def test_withdrawing_settles_the_rows_a_killed_worker_left_claimed(app):
    send_id = _send(VASBY, "kvar@vasby.example.se", "tagen@vasby.example.se", "skickad@vasby.example.se")
    now = clock.now()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.email == "tagen@vasby.example.se").values(
        status=OutboxStatus.SENDING, claim_token="dead-worker", lease_until=now + timedelta(seconds=30), attempts=1))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.email == "skickad@vasby.example.se").values(
        status=OutboxStatus.SENT, sent_at=now))
    db.session.commit()
    clock.set_now(now + timedelta(minutes=2))  # the dead worker's lease has run out

    assert api.withdraw(VASBY) == 2
    db.session.commit()
    statuses = dict(db.session.execute(select(OutboxMessage.email, OutboxMessage.status)).all())
    assert statuses == {"kvar@vasby.example.se": OutboxStatus.CANCELLED,
                        "tagen@vasby.example.se": OutboxStatus.CANCELLED,
                        "skickad@vasby.example.se": OutboxStatus.SENT}
    assert db.session.get(Send, send_id).status is SendStatus.CANCELLED
    assert api.withdraw(VASBY) == 0  # nothing left running
    assert api.progress(api.counts(VASBY)) == {"väntar": 0, "skickade": 1, "misslyckade": 0, "stoppade": 2}


def test_pause_and_resume_by_owner(app):
    _send(VASBY, "a@vasby.example.se")
    _send(VALLENTUNA, "c@vallentuna.example.se")
    paused = api.pause(VASBY)
    assert [view.status for view in paused] == [SendStatus.PAUSED]
    assert api.sends_for(VALLENTUNA)[0].status is SendStatus.SENDING
    assert [view.status for view in api.resume(VASBY)] == [SendStatus.SENDING]
