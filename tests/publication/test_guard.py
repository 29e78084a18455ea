"""The embargo rule at send time (the delivery worker, with a real SMTP sink) and on authored newsletters;
postponement moves every step and holds back queued sends; DST."""
from __future__ import annotations

from types import SimpleNamespace

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.briefs.emails import send_local_brief
from hti_comms.delivery.models import OutboxMessage, OutboxStatus
from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.geo.models import Municipality
from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.services import SectionFields
from hti_comms.publication.moments import PublicationError, moments, parse_wall_clock, set_orders_close, \
    set_publication
from hti_comms.publication.summaries import summary_spec
from hti_comms.results.models import ResultSet
from tests.newsletters.helpers import GOOD_SECTIONS, make_newsletter

from hti_comms.delivery.owner import Owner

from .helpers import PUBLISHED_AT, RELEASE_AT, results_for_2025, staff_order


def _status(email: str) -> OutboxStatus:
    return db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.email == email))


def test_a_send_with_results_is_held_by_the_worker_until_publication(app, mail_sink):
    results_for_2025()
    clock.set_now(PUBLISHED_AT - timedelta(hours=1))
    enqueue(EmailSpec(template="publication/access", subject="Resultat", kind="report_access",
                      owner=Owner.of("publication", "report-access", 2025, "0114"), reference="report-access:2025:0114",
                      context={"year": 2025, "municipality_name": "Upplands Väsby",
                               "results_url": "https://hti.example.se/resultat/2025/0114"}),
            [Recipient("tidig@example.se")])
    db.session.commit()
    assert deliver_due() == 0
    assert mail_sink.messages == [] and _status("tidig@example.se") is OutboxStatus.QUEUED
    clock.set_now(PUBLISHED_AT)
    assert deliver_due() == 1
    assert [m["To"] for m in mail_sink.wait_for(1)] == ["tidig@example.se"]


def test_postponing_moves_every_step_and_holds_a_brief_queued_for_the_old_moment(app, mail_sink):
    results_for_2025()
    set_orders_close(2025, parse_wall_clock("2025-11-27 12:00"), actor="test")
    send_local_brief(db.session.get(Municipality, "0114"), 2025, [Recipient("rad@example.se")],
                     scheduled_at=PUBLISHED_AT)
    set_publication(2025, parse_wall_clock("2025-12-11 07:00"), actor="personal@spf.example")
    db.session.commit()
    steps = moments(2025)
    week = timedelta(days=7)
    assert steps.published_at == PUBLISHED_AT + week
    assert steps.embargo_release_at == RELEASE_AT + week
    assert steps.orders_close_at == parse_wall_clock("2025-12-04 12:00")
    assert db.session.get(ResultSet, 2025).published_at == PUBLISHED_AT + week  # what the public pages read
    clock.set_now(PUBLISHED_AT + timedelta(minutes=1))
    assert deliver_due() == 0 and mail_sink.messages == []
    assert _status("rad@example.se") is OutboxStatus.QUEUED
    clock.set_now(PUBLISHED_AT + week)
    assert deliver_due() == 1
    assert mail_sink.wait_for(1)[0]["To"] == "rad@example.se"


def test_an_embargoed_summary_goes_only_to_an_ordering_municipality_and_only_in_the_window(app, mail_sink):
    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    deliver_due()  # the order receipt
    mail_sink.wait_for(1)
    mail_sink.clear()
    # Built by hand for a municipality that did not order: the guard holds it even in the window.
    for code, email in (("0114", "a@vasby.example.se"), ("0115", "intruder@example.se")):
        enqueue(summary_spec(2025, code), [Recipient(email)])
    db.session.commit()
    clock.stop_at(RELEASE_AT - timedelta(seconds=1))
    assert deliver_due() == 0
    clock.set_now(RELEASE_AT)
    deliver_due()
    assert [m["To"] for m in mail_sink.wait_for(1)] == ["a@vasby.example.se"]
    assert _status("intruder@example.se") is OutboxStatus.QUEUED
    clock.set_now(PUBLISHED_AT)
    assert deliver_due() == 0


def test_a_publication_already_passed_cannot_be_moved(app):
    results_for_2025()
    clock.set_now(PUBLISHED_AT + timedelta(seconds=1))
    with pytest.raises(PublicationError, match="kan inte flyttas"):
        set_publication(2025, PUBLISHED_AT + timedelta(days=1), actor="test")


@pytest.mark.parametrize("text, utc", [
    ("2025-11-06 07:00", datetime(2025, 11, 6, 6, 0, tzinfo=timezone.utc)),   # after the October change: CET
    ("2025-10-23 07:00", datetime(2025, 10, 23, 5, 0, tzinfo=timezone.utc)),  # before it: CEST
    ("2025-10-27", datetime(2025, 10, 27, 6, 0, tzinfo=timezone.utc)),        # the Monday after, 07.00 by default
])
def test_publication_is_07_00_stockholm_whatever_the_season(app, text, utc):
    results_for_2025()
    steps = set_publication(2025, parse_wall_clock(text), actor="test")
    assert steps.published_at == utc
    assert clock.to_stockholm(steps.published_at).strftime("%H:%M") == "07:00"
    assert clock.to_stockholm(steps.embargo_release_at).strftime("%H:%M") == "07:00"


def test_the_newsletter_check_refuses_unpublished_figures_until_publication(app, make_contact):
    make_contact("lasare@exempel.se")
    results_for_2025()
    newsletter = make_newsletter(sections=[*GOOD_SECTIONS, SectionFields(
        title="Så gick det för Upplands Väsby", body="Upplands Väsby fick 72,5 i index och hamnade på plats 2.")])
    findings = [str(f) for f in check_newsletter(newsletter, PUBLISHED_AT - timedelta(seconds=1)) if f.is_error]
    assert any("resultat för Upplands Väsby i Hemtjänstindex 2025" in f and "torsdag 4 december 2025 kl. 07.00" in f
               for f in findings)
    assert not any("Hemtjänstindex 2025" in str(f) for f in check_newsletter(newsletter, PUBLISHED_AT))
    # A year already public is fine to quote, and a name without figures is no finding.
    plain = make_newsletter(sections=[*GOOD_SECTIONS, SectionFields(title="Upplands Väsby",
                                                                     body="Upplands Väsby arbetar med sin plan.")])
    assert not any("resultat för" in str(f) for f in check_newsletter(plain, PUBLISHED_AT - timedelta(days=1)))


def test_one_worker_session_sees_a_postponement_and_a_cancelled_order_at_its_next_question(app):
    """The worker keeps one session for hours: the guard's answer is read again in every new transaction, so a
    publication moved (or an order cancelled) after a first "go" holds the next claim."""
    from hti_comms.publication.guard import hold_for_embargo
    from hti_comms.publication.orders import cancel_order

    results_for_2025()
    order, _ = staff_order("0114", "a1@vasby.example.se")
    db.session.commit()
    summary = SimpleNamespace(owner=Owner.of("publication", "embargo-summary", 2025, "0114"))
    newsletter = SimpleNamespace(owner=Owner.of("alerts", "result", 2025, "0114"))
    clock.stop_at(RELEASE_AT + timedelta(hours=1))
    assert hold_for_embargo(summary) is None
    assert hold_for_embargo(newsletter).until == PUBLISHED_AT
    db.session.commit()  # the claim's transaction ends

    set_publication(2025, PUBLISHED_AT + timedelta(days=7), actor="test")
    db.session.commit()
    held = hold_for_embargo(summary)
    assert held is not None and held.until == RELEASE_AT + timedelta(days=7)
    assert hold_for_embargo(newsletter).until == PUBLISHED_AT + timedelta(days=7)
    db.session.commit()

    clock.stop_at(RELEASE_AT + timedelta(days=7, hours=1))
    assert hold_for_embargo(summary) is None
    db.session.commit()
    cancel_order(order, actor="test", reason="Avbokad")
    db.session.commit()
    assert "har inte beställt rapportpaketet" in hold_for_embargo(summary).reason


def test_an_order_of_another_year_releases_no_summary(app):
    from hti_comms.publication.guard import hold_for_embargo

    results_for_2025()
    staff_order("0114", "forra@vasby.example.se", year=2024)
    staff_order("0115", "b1@vallentuna.example.se")
    db.session.commit()
    clock.stop_at(RELEASE_AT + timedelta(hours=1))
    held = hold_for_embargo(SimpleNamespace(owner=Owner.of("publication", "embargo-summary", 2025, "0114")))
    assert held is not None and "har inte beställt rapportpaketet" in held.reason
    assert hold_for_embargo(SimpleNamespace(owner=Owner.of("publication", "embargo-summary", 2025, "0115"))) \
        is None
