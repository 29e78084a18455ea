"""The publication domain's blocks on the staff overview: the countdown to the next step, orders and contacts to
approve."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock
from ..domain import OverviewPart
from ..extensions import db
from .models import Order, OrderContact, OrderStatus
from .moments import known_years, moments, next_publication
from .timeline import timeline


def countdown() -> OverviewPart | None:
    """The next step of the year whose publication is next (or still going on), with how far it is."""
    now = clock.now()
    upcoming = next_publication(now)
    year = upcoming.year if upcoming else None
    if year is None:
        return OverviewPart("next", "web/publication/_overview_countdown.html", {"step": None, "year": None},
                            order=10)
    steps = [step for step in timeline(year) if step.at is not None and step.at > now]
    return OverviewPart("next", "web/publication/_overview_countdown.html",
                        {"step": steps[0] if steps else None, "year": year, "later": steps[1:4]}, order=10)


def to_approve() -> OverviewPart | None:
    """Orders from the form and their contacts that wait for staff, in years not yet published."""
    waiting = []
    for year in known_years():
        if moments(year).is_published():
            continue
        orders = db.session.scalars(select(Order).where(Order.year == year, Order.status.in_(
            (OrderStatus.PENDING, OrderStatus.RECEIVED))).options(selectinload(Order.contacts).selectinload(
                OrderContact.contact), selectinload(Order.municipality)))
        contacts = [(order, contact) for order in orders for contact in order.contacts
                    if contact.approved_at is None]
        if contacts:
            waiting.append((year, contacts))
    if not waiting:
        return None
    return OverviewPart("waiting", "web/publication/_overview_approve.html", {"waiting": waiting}, order=10)
