"""Demo orders for `make run`: report packages ordered for the latest demo year, marked as demo data."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..results.models import ResultSet
from ..results.services import latest_demo_year
from . import audit
from ..status import transition
from .models import ORDER_TRANSITIONS, AuditAction, Order, OrderSource, OrderStatus, Publication
from .contacts import add_contact

DEMO_ORDERS = (
    ("0114", "Demo Kommunsson", "demo.upplandsvasby@example.se", "Demodata 1001"),
    ("2180", "Demo Tjänstesdotter", "demo.gavle@example.se", "Demodata 1002"),
    ("1280", "Demo Analysson", "demo.malmo@example.se", "Demodata 1003"),
    ("0180", "Demo Beställare", "demo.stockholm@example.se", "Demodata 1004"),
)


def load() -> str | None:
    """Store four demo orders (the first delivered) for the latest demo year; return a line, or None."""
    year = latest_demo_year()
    if year is None or db.session.scalar(select(Order.id).where(Order.year == year)) is not None:
        return None
    published_at = clock.as_utc(db.session.get(ResultSet, year).published_at)
    start = published_at - timedelta(days=60)
    for number, (code, name, email, invoice) in enumerate(DEMO_ORDERS):
        order = Order(year=year, municipality_code=code, received_at=start + timedelta(days=number, microseconds=number),
                      sequence=number + 1, invoice_reference=invoice, status=OrderStatus.RECEIVED,
                      source=OrderSource.DEMO, created_by="Demodata", is_demo=True)
        db.session.add(order)
        db.session.flush()
        add_contact(order, email, name, confirmed=True, actor="Demodata")
        if number == 0:
            transition(order, OrderStatus.DELIVERED, ORDER_TRANSITIONS)
            order.delivered_at = start + timedelta(days=20)
    publication = db.session.get(Publication, year) or Publication(year=year, updated_at=clock.now())
    # Past years: the access emails count as sent, so the scheduler sends nothing for the demo.
    publication.access_sent_at = published_at
    publication.orders_close_at = published_at - timedelta(days=7)
    db.session.add(publication)
    audit.record(year, AuditAction.ORDER_CREATED, actor="Demodata", detail="Demodata: fyra beställningar.")
    db.session.commit()
    return f"DEMODATA: fyra beställda rapportpaket för {year}."
