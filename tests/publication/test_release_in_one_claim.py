"""The embargo holds when the worker judges every send of a claim together (one question for the entitlement of all
their recipients, one for their approvals): summaries built before the release go only to municipalities whose
order is still live when the worker claims them, and a postponement holds back every summary already queued."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.publication.moments import set_publication
from hti_comms.publication.orders import cancel_order
from hti_comms.publication.summaries import prepare_summaries, release_summaries

from .helpers import PUBLISHED_AT, RELEASE_AT, results_for_2025, staff_order, to_of


def _summary_rows() -> dict[str, OutboxStatus]:
    return dict(db.session.execute(select(OutboxMessage.email, OutboxMessage.status).join(Send)
                                   .where(Send.kind == "embargo_summary")).all())


def _three_orders(mail_sink):
    results_for_2025()
    orders = {code: staff_order(code, *emails)[0] for code, emails in (
        ("0114", ("a1@vasby.example.se", "a2@vasby.example.se")), ("0115", ("b1@vallentuna.example.se",)),
        ("0117", ("c1@osteraker.example.se",)))}
    db.session.commit()
    deliver_due()  # the order receipts
    mail_sink.clear()
    clock.stop_at(RELEASE_AT - timedelta(minutes=5))
    assert prepare_summaries(2025) == 3  # built and kept; nothing queued
    db.session.commit()
    assert _summary_rows() == {}
    return orders


def test_orders_cancelled_after_the_summaries_were_built_get_nothing_and_the_others_go_in_one_claim(app, mail_sink):
    orders = _three_orders(mail_sink)
    cancel_order(orders["0115"], actor="test", reason="Avbokad före släppet")
    db.session.commit()

    clock.stop_at(RELEASE_AT)
    assert release_summaries(2025) == 3  # Väsby's two and Österåker's one: Vallentuna's kept summary is not queued
    db.session.commit()
    cancel_order(orders["0117"], actor="test", reason="Avbokad efter att sammanfattningen köades")
    db.session.commit()

    assert deliver_due() == 2  # one claim for both queued summaries
    assert sorted(to_of(m) for m in mail_sink.wait_for(2)) == ["a1@vasby.example.se", "a2@vasby.example.se"]
    assert deliver_due() == 0
    assert _summary_rows() == {"a1@vasby.example.se": OutboxStatus.SENT, "a2@vasby.example.se": OutboxStatus.SENT,
                               "c1@osteraker.example.se": OutboxStatus.QUEUED}  # held, never sent
    assert len(mail_sink.messages) == 2


def test_a_postponement_after_the_summaries_were_queued_holds_every_one_of_them(app, mail_sink):
    _three_orders(mail_sink)
    clock.stop_at(RELEASE_AT)
    assert release_summaries(2025) == 4
    db.session.commit()
    set_publication(2025, PUBLISHED_AT + timedelta(days=7), actor="test")
    db.session.commit()

    assert deliver_due() == 0
    assert set(_summary_rows().values()) == {OutboxStatus.QUEUED}
    clock.stop_at(RELEASE_AT + timedelta(days=7) - timedelta(seconds=1))
    assert deliver_due() == 0
    assert mail_sink.messages == []
