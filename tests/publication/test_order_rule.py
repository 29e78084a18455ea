"""The order rule: an order from the public form holds no place until someone entitled stands behind it, the first
one approved takes the place by its arrival, cancelling frees it, and the database allows one live order only."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hti_comms import clock
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.publication.contacts import approve_contact, confirm_contact
from hti_comms.publication.entitlement import entitled_contacts
from hti_comms.publication.models import Order, OrderSource, OrderStatus
from hti_comms.publication.orders import OrderError, cancel_order, find_order, queue

from .helpers import form_order, results_for_2025, staff_order, to_of


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _order_from_the_form(client, code: str, email: str, address: str) -> int:
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get("/bestall").get_data(as_text=True)
    return client.post("/bestall", data={"csrf_token": _csrf(page), "municipality": code, "name": "Slit Och Släng",
                                         "email": email, "invoice_reference": "X"}).status_code


def _live(code: str, year: int = 2025) -> Order | None:
    return find_order(year, code)


def test_throwaway_orders_from_the_form_do_not_stop_the_real_one(app, client, runner):
    """The attack: orders for a municipality from throwaway addresses, from several client addresses."""
    results_for_2025()
    for number in range(4):
        assert _order_from_the_form(client, "0114", f"slit{number}@throwaway.example", f"203.0.113.{number}") == 302
    assert db.session.scalar(select(func.count()).select_from(Order)) == 4
    assert queue(2025) == [] and _live("0114") is None  # none of them holds a place
    # The municipality's real order is still possible, from staff (the command line, as acceptance checks use it)...
    result = runner.invoke(args=["hti", "order", "create", "--year", "2025", "--municipality", "0114",
                                 "--contact", "anna@vasby.example.se", "--name", "Anna Kommun"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "Plats i kön: 1"
    listed = runner.invoke(args=["hti", "order", "list", "--year", "2025", "--format", "json"])
    assert '"municipality_code": "0114"' in listed.output and '"position": 1' in listed.output
    assert '"status": "received"' in listed.output and "pending" not in listed.output
    text = runner.invoke(args=["hti", "order", "list", "--year", "2025"]).output
    assert "4 beställningar från formuläret väntar på bekräftelse och kontroll och har ingen plats i kön." in text
    # ... and from the public form for another municipality, once its contact confirmed and staff approved them.
    assert _order_from_the_form(client, "0115", "eva@vallentuna.example.se", "198.51.100.7") == 302
    real = db.session.scalar(select(Order).where(Order.municipality_code == "0115"))
    confirm_contact(real.contacts[0])
    assert _live("0115") is None
    approve_contact(real.contacts[0], actor="personal@spf.example")
    assert _live("0115").id == real.id and [e.order.municipality_code for e in queue(2025)] == ["0114", "0115"]


def test_cancelling_frees_the_place_for_a_new_order(app, runner):
    results_for_2025()
    order, position = staff_order("0114", "fel@vasby.example.se")
    assert position == 1
    with pytest.raises(OrderError, match="Upplands Väsby har redan beställt rapportpaketet för 2025"):
        staff_order("0114", "ratt@vasby.example.se")
    cancel_order(order, actor="personal@spf.example", reason="Beställd av misstag.")
    assert entitled_contacts(order) == [] and _live("0114") is None
    again = runner.invoke(args=["hti", "order", "create", "--year", "2025", "--municipality", "Upplands Väsby",
                                "--contact", "ratt@vasby.example.se"])
    assert again.exit_code == 0, again.output
    assert again.output.strip().splitlines()[-1] == "Plats i kön: 1"
    renewed = _live("0114")
    assert renewed.id != order.id and [oc.contact.email for oc in entitled_contacts(renewed)] == ["ratt@vasby.example.se"]
    # Cancelled again, a form order takes the place as soon as someone entitled stands behind it.
    cancel_order(renewed, actor="personal@spf.example")
    pending, position = form_order("0114", "ny@vasby.example.se")
    assert position is None and pending.status is OrderStatus.PENDING
    approve_contact(pending.contacts[0], actor="personal@spf.example")
    confirm_contact(pending.contacts[0])
    assert _live("0114").id == pending.id


def test_the_first_approved_takes_the_place_with_its_arrival_and_the_contact_is_told_the_number(app, mail_sink):
    results_for_2025()
    early, _ = form_order("0114", "tidig@vasby.example.se")
    clock.set_now(clock.now() + timedelta(hours=2))
    late, _ = form_order("0114", "sen@vasby.example.se")
    clock.set_now(clock.now() + timedelta(hours=2))
    staff_order("0305", "h@habo.example.se")
    clock.set_now(clock.now() + timedelta(days=2))  # staff check the form orders two days later
    deliver_due()
    mail_sink.clear()
    confirm_contact(late.contacts[0])
    approve_contact(late.contacts[0], actor="personal@spf.example")
    # It arrived before Håbo's order: its place counts from its arrival, not from the approval.
    assert [(e.position, e.order.id) for e in queue(2025)][0] == (1, late.id)
    deliver_due()
    placed = mail_sink.wait_for(1)[0]
    assert to_of(placed) == "sen@vasby.example.se"
    assert placed["Subject"] == "Er beställning av rapportpaketet 2025 är nummer 1 i kön"
    # The other form order for the same municipality cannot take the place too; staff are told which one holds it.
    confirm_contact(early.contacts[0])
    with pytest.raises(OrderError, match="Upplands Väsby har redan en beställning i kön för 2025: nummer 1"):
        approve_contact(early.contacts[0], actor="personal@spf.example")
    db.session.refresh(early)
    assert early.status is OrderStatus.PENDING and early.contacts[0].approved_at is None
    assert entitled_contacts(early) == []


def test_the_database_allows_one_live_order_per_municipality_and_year_only(app):
    results_for_2025()
    now = clock.now()

    def order(sequence: int, status: OrderStatus) -> Order:
        return Order(year=2025, municipality_code="0114", received_at=now, sequence=sequence, status=status,
                     source=OrderSource.FORM)

    db.session.add_all([order(1, OrderStatus.PENDING), order(2, OrderStatus.PENDING), order(3, OrderStatus.CANCELLED),
                        order(4, OrderStatus.CANCELLED), order(5, OrderStatus.RECEIVED)])
    db.session.commit()
    db.session.add(order(6, OrderStatus.DELIVERED))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order)) == 5


def test_the_same_order_sent_again_within_the_hour_is_one_order_with_one_email(app, client):
    from hti_comms.delivery.models import OutboxMessage

    results_for_2025()

    def emails() -> int:
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.email == "offer@example.se"))

    for number in range(3):
        assert _order_from_the_form(client, "0114", "offer@example.se", f"192.0.2.{number + 1}") == 302
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1 and emails() == 1
    for attempt in range(20):
        form_order("0114", "Offer@Example.se")
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1 and emails() == 1
    clock.set_now(clock.now() + timedelta(minutes=60))
    form_order("0114", "offer@example.se")
    assert db.session.scalar(select(func.count()).select_from(Order)) == 2 and emails() == 2


def test_early_results_go_only_to_contacts_of_the_live_order_of_that_year(db):
    """An order for the same municipality in another year, or a cancelled one, gives no right to this year's
    results before publication, whoever its contacts are."""
    from hti_comms.publication.entitlement import entitled_addresses

    results_for_2025()
    last_year, _ = staff_order("0114", "forra@vasby.example.se", year=2024)
    this_year, _ = staff_order("0114", "i.ar@vasby.example.se")
    cancelled, _ = staff_order("0115", "avbokad@vallentuna.example.se")
    db.session.commit()
    assert entitled_addresses(2025, "0114")[1] == {"i.ar@vasby.example.se"}
    assert entitled_addresses(2024, "0114")[1] == {"forra@vasby.example.se"}
    assert entitled_addresses(2025, "0115")[1] == {"avbokad@vallentuna.example.se"}
    cancel_order(cancelled, actor="test", reason="Dubbelbeställning")
    db.session.commit()
    assert entitled_addresses(2025, "0115") == (set(), set())
    assert [oc.contact.email for oc in entitled_contacts(last_year)] == ["forra@vasby.example.se"]
    assert entitled_contacts(cancelled) == [] and len(entitled_contacts(this_year)) == 1
