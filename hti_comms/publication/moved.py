"""The change notice when a publication moves: to the registered, only when staff choose to send it.

Whoever has registered with us for the year's publication waits for it: the contacts of the ordering
municipalities (their embargoed summary comes 24 hours before, their access at the moment), and anyone registered
for the publication event. When the moment moves, staff are asked whether to tell them (`set_publication(…,
notify_registered=True)`); the event's people get the events domain's own change with a new calendar version, the
contacts get this notice. Neither says anything about the results.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..delivery.api import EmailSpec, Recipient, enqueue
from .owners import moved_owner
from ..extensions import db
from ..formatting import format_datetime
from .entitlement import entitled_contacts
from .models import LIVE_ORDER_STATUSES, Order, OrderContact
from .moments import EMBARGO_LEAD

MOVED_KIND = "publication_moved"


def _contacts(year: int) -> list[OrderContact]:
    orders = db.session.scalars(select(Order).where(Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES))
                                .options(selectinload(Order.contacts).selectinload(OrderContact.contact)))
    return [contact for order in orders for contact in entitled_contacts(order)]


def registered_counts(year: int) -> tuple[int, int]:
    """Return (contacts of ordering municipalities, people registered for the publication event) to ask about."""
    from ..events.publication_link import registered_count

    return len({c.contact.email for c in _contacts(year)}), registered_count(year)


def notify_contacts(year: int, before: datetime, after: datetime) -> int:
    """Queue the change notice to every entitled contact of the year's orders (the caller commits); return how many."""
    people = _contacts(year)
    if not people:
        return 0
    spec = EmailSpec(
        template="publication/moved", subject=f"Hemtjänstindex {year} publiceras {format_datetime(after)}",
        context={"year": year, "before": format_datetime(before), "after": format_datetime(after),
                 "release": format_datetime(after - EMBARGO_LEAD)},
        kind=MOVED_KIND, reference=f"publication-moved:{year}:{int(after.timestamp())}",
        owner=moved_owner(year, int(after.timestamp())))
    enqueue(spec, [Recipient(c.contact.email, c.contact.name, c.contact.id, link_key=c.contact.link_key)
                   for c in people])
    return len({c.contact.email for c in people})
