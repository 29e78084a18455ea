"""Orders: queue places by arrival (also in the same second), one per municipality, the public form with double
opt-in, ordering closing, delivery in order."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.publication.models import AuditAction, Order, OrderContact, OrderStatus
from hti_comms.publication.audit import EMBARGO_KINDS, kind as audit_kind
from hti_comms.stafflog.models import LogEntry as AuditEntry
from hti_comms.publication.moments import parse_wall_clock, set_orders_close
from hti_comms.publication.orders import OrderError, mark_delivered, next_in_line, queue, queue_position
from hti_comms.subscribers.models import Contact, ContactStatus, Role

from .helpers import form_order, results_for_2025, staff_order, text_of, to_of


def test_queue_places_follow_arrival_and_two_orders_in_the_same_second_get_distinct_places(app, monkeypatch):
    results_for_2025()
    staff_order("0305", "tidig@habo.example.se")
    frozen = clock.now()
    # The real clock stops: the next two orders arrive at exactly the same microsecond.
    monkeypatch.setattr(clock, "_real_now", lambda: frozen - clock._offset + timedelta(seconds=5))
    first, first_place = staff_order("0117", "a@osteraker.example.se")
    second, second_place = staff_order("0114", "b@vasby.example.se")
    assert first.received_at == second.received_at
    assert (first_place, second_place) == (2, 3)
    assert [(e.position, e.order.municipality_code) for e in queue(2025)] == [(1, "0305"), (2, "0117"), (3, "0114")]
    assert queue_position(second) == 3


def test_one_order_per_municipality_and_year_with_a_swedish_error(app):
    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    with pytest.raises(OrderError, match="Upplands Väsby har redan beställt rapportpaketet för 2025"):
        staff_order("Upplands Väsby", "b@vasby.example.se")
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert db.session.scalar(select(Contact).where(Contact.email == "b@vasby.example.se")) is None


def test_bad_input_names_the_field_and_saves_nothing(app):
    results_for_2025()
    with pytest.raises(OrderError, match="Kommun: hittar ingen kommun"):
        staff_order("Atlantis", "a@example.se")
    with pytest.raises(OrderError, match="Kontaktperson 1, e-postadress"):
        staff_order("0114", "inte-en-adress")
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


def test_staff_order_confirms_the_contact_as_municipal_official_and_states_the_queue_place(app, mail_sink):
    results_for_2025()
    staff_order("0305", "forst@habo.example.se")
    order, position = staff_order("0114", "anna@vasby.example.se")
    assert position == 2
    contact = order.contacts[0].contact
    assert contact.status is ContactStatus.CONFIRMED and order.contacts[0].confirmed_at is not None
    assert [(a.role, a.municipality_code) for a in contact.affiliations] == [(Role.MUNICIPAL_OFFICIAL, "0114")]
    deliver_due()
    message = next(m for m in mail_sink.wait_for(2) if to_of(m) == "anna@vasby.example.se")
    assert "Er beställning är nummer 2 i kön" in text_of(message)
    assert "Bekräfta" not in text_of(message)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_public_form_creates_an_order_with_an_unconfirmed_contact_who_confirms_with_a_button(app, client, mail_sink):
    results_for_2025()
    page = client.get("/bestall").get_data(as_text=True)
    assert "Beställningen stänger torsdag 4 december 2025 kl. 07.00" in page
    response = client.post("/bestall", data={"csrf_token": _csrf(page), "municipality": "0114", "name": "Eva Kommun",
                                             "email": "eva@vasby.example.se", "invoice_reference": "Ref 12"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/bestall/tack")
    order = db.session.scalar(select(Order))
    assert order.contacts[0].confirmed_at is None
    assert order.contacts[0].contact.status is ContactStatus.PENDING
    deliver_due()
    message = mail_sink.wait_for(1)[0]
    text = text_of(message)
    # From the form, nobody entitled stands behind the order yet: it has no place in the queue.
    assert message["Subject"] == "Bekräfta er beställning av rapportpaketet 2025"
    assert "Beställningen får sin plats i kön när du har bekräftat" in text and "nummer" not in text
    assert order.status is OrderStatus.PENDING and queue(2025) == []
    link = re.search(r"https://hti\.example\.se(/bestall/bekrafta/\S+)", text).group(1)
    # Opening the link (a mail scanner does) changes nothing; pressing the button confirms.
    shown = client.get(link)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.scalar(select(OrderContact)).confirmed_at is None
    client.post(link, data={"csrf_token": _csrf(shown.get_data(as_text=True))})
    db.session.expire_all()
    order_contact = db.session.scalar(select(OrderContact))
    assert order_contact.confirmed_at is not None and order_contact.contact.status is ContactStatus.CONFIRMED
    actions = {AuditAction(k.removeprefix("publication.")) for k in db.session.scalars(select(AuditEntry.kind).where(AuditEntry.kind.in_(EMBARGO_KINDS)))}
    assert {AuditAction.ORDER_CREATED, AuditAction.CONTACT_ADDED, AuditAction.CONTACT_CONFIRMED} <= actions
    assert order_contact.order.status is OrderStatus.PENDING  # staff have not approved the contact yet


def test_public_form_without_csrf_is_refused_and_a_duplicate_is_told_clearly(app, client):
    results_for_2025()
    assert client.post("/bestall", data={"municipality": "0114", "name": "X", "email": "x@example.se",
                                         "invoice_reference": "R"}).status_code in (200, 400)
    assert db.session.scalar(select(Order)) is None
    staff_order("0114", "a@vasby.example.se")
    page = client.get("/bestall").get_data(as_text=True)
    answer = client.post("/bestall", data={"csrf_token": _csrf(page), "municipality": "0114", "name": "X",
                                           "email": "x@example.se", "invoice_reference": "R"}).get_data(as_text=True)
    assert "Upplands Väsby har redan beställt rapportpaketet för 2025" in answer


def test_ordering_closes_at_the_set_moment_and_the_form_says_so(app, client):
    results_for_2025()
    set_orders_close(2025, parse_wall_clock("2025-11-20 23:59"), actor="test")
    db.session.commit()
    assert "Beställningen stänger torsdag 20 november 2025 kl. 23.59" in client.get("/bestall").get_data(as_text=True)
    clock.set_now(parse_wall_clock("2025-11-21 00:00"))
    assert "beställningen är stängd" in client.get("/bestall").get_data(as_text=True)
    with pytest.raises(OrderError, match="stängde"):
        form_order("0114", "sen@vasby.example.se")


def test_analyses_are_delivered_in_order_and_out_of_order_needs_a_recorded_reason(app):
    results_for_2025()
    first, _ = staff_order("0305", "a@habo.example.se")
    second, _ = staff_order("0114", "b@vasby.example.se")
    assert next_in_line(2025).order.id == first.id
    with pytest.raises(OrderError, match="Nummer 1 i kön \\(Håbo\\) har inte fått sin analys ännu"):
        mark_delivered(second, actor="karin@spf.example")
    mark_delivered(second, actor="karin@spf.example", reason="Kommunen har budgetmöte i morgon.")
    assert second.status is OrderStatus.DELIVERED and second.out_of_order_reason == "Kommunen har budgetmöte i morgon."
    mark_delivered(first, actor="karin@spf.example")
    assert next_in_line(2025) is None
    details = list(db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.kind == audit_kind(AuditAction.ORDER_DELIVERED)).order_by(AuditEntry.id)))
    assert details == ["Före sin tur: Kommunen har budgetmöte i morgon.", "I kötur."]
