"""The publication domain's share of a person's data: the orders they are a contact on, and their openings."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..personal_data import Person, timestamp
from .models import OrderContact, SummaryOpening
from ..subscribers.models import Contact


def _order_contacts(person: Person) -> list[OrderContact]:
    return list(db.session.scalars(select(OrderContact).join(Contact).where(Contact.email == person.email)
                                   .order_by(OrderContact.created_at)))


def _openings(order_contact: OrderContact) -> list[SummaryOpening]:
    return list(db.session.scalars(select(SummaryOpening).where(SummaryOpening.order_contact_id == order_contact.id)
                                   .order_by(SummaryOpening.opened_at)))


def export(person: Person) -> list[dict]:
    return [{
        "år": oc.order.year,
        "kommun": oc.order.municipality.short_name,
        "e-post": oc.contact.email,
        "namn": oc.contact.name,
        "tillagd": timestamp(oc.created_at),
        "bekräftad": timestamp(oc.confirmed_at),
        "öppnade sammanfattningen": [timestamp(o.opened_at) for o in _openings(oc)],
    } for oc in _order_contacts(person)]


def erase(person: Person) -> int:
    """Take the person off every order (their openings go with it), in the caller's transaction."""
    removed = 0
    for order_contact in _order_contacts(person):
        removed += 1 + len(_openings(order_contact))
        db.session.delete(order_contact)
    db.session.flush()
    return removed
