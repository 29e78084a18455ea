"""The publication domain's share of a person's data: the orders they are a contact on, their openings of the
embargoed summary, and the embargo audit log's rows about them.

The audit log is evidence of who saw which municipality's results before publication, so an erasure keeps its
rows and puts the person's pseudonym where their address or name was (`Person.redact`). The same goes for
what they typed into an order that stays the municipality's (the invoice reference).
"""
from __future__ import annotations

from sqlalchemy import false, or_, select, tuple_

from ..extensions import db
from ..personal_data import Person, timestamp
from ..subscribers.models import Contact
from ..stafflog.models import LogEntry as AuditEntry
from .audit import EMBARGO_KINDS
from .models import Order, OrderContact, SummaryOpening


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
        "fakturareferens": oc.order.invoice_reference,
        "tillagd": timestamp(oc.created_at),
        "bekräftad": timestamp(oc.confirmed_at),
        "öppnade sammanfattningen": [timestamp(o.opened_at) for o in _openings(oc)],
    } for oc in _order_contacts(person)]


def erase(person: Person) -> int:
    """Take the person off every order (their openings go with it), in the caller's transaction.

    What they wrote into an order that stays the municipality's (the invoice reference; a reason staff wrote)
    gets their pseudonym instead of their address or name.
    """
    removed = 0
    own = {oc.order_id for oc in _order_contacts(person)}
    mentioning = select(Order).where(or_(
        Order.id.in_(own) if own else false(),
        *(person.may_be_mentioned_in(column, by_name=False)
          for column in (Order.invoice_reference, Order.out_of_order_reason))))
    for order in db.session.scalars(mentioning):
        by_name = order.id in own  # a name alone is theirs only on their own orders
        order.invoice_reference = person.redact(order.invoice_reference, by_name=by_name)
        order.out_of_order_reason = person.redact(order.out_of_order_reason, by_name=by_name)
    for order_contact in _order_contacts(person):
        removed += 1 + len(_openings(order_contact))
        db.session.delete(order_contact)
    db.session.flush()
    return removed


def _audit_entries(person: Person) -> list[tuple[AuditEntry, bool]]:
    """Return the audit entries that name the person, each with whether their name counts (see `erase_audit`)."""
    own = {(oc.order.year, oc.order.municipality_code) for oc in _order_contacts(person)}
    about_own = tuple_(AuditEntry.year, AuditEntry.municipality_code).in_(sorted(own)) if own else false()
    candidates = db.session.scalars(select(AuditEntry).where(AuditEntry.kind.in_(EMBARGO_KINDS), or_(
        about_own, *(person.may_be_mentioned_in(column, by_name=False)
                     for column in (AuditEntry.actor, AuditEntry.detail))))
        .order_by(AuditEntry.at, AuditEntry.id))
    found = []
    for entry in candidates:
        by_name = (entry.year, entry.municipality_code) in own
        if person.mentions(entry.actor, by_name=by_name) or person.mentions(entry.detail, by_name=by_name):
            found.append((entry, by_name))
    return found


def export_audit(person: Person) -> list[dict]:
    """Return the embargo audit log's entries about the person, oldest first."""
    return [{
        "tid": timestamp(entry.at),
        "år": entry.year,
        "händelse": entry.action,
        "kommunkod": entry.municipality_code,
        "vem": entry.actor,
        "detaljer": entry.detail,
    } for entry, _by_name in _audit_entries(person)]


def erase_audit(person: Person) -> int:
    """Put the person's pseudonym where the audit log names them; every entry stays. Return how many changed.

    Their address is replaced wherever it stands; their name only in entries about the municipalities and
    years of their own orders (elsewhere the same name may well be someone else's).
    """
    entries = _audit_entries(person)
    for entry, by_name in entries:
        entry.actor = person.redact(entry.actor, by_name=by_name)[:255]
        entry.detail = person.redact(entry.detail, by_name=by_name)
    db.session.flush()
    return len(entries)
