"""Report-package orders: arrival, the queue, delivery in order.

Who stands behind an order, and when a pending order from the public form takes its place, is the order rule in
`entitlement`; the people named on an order are in `contacts`. Each public function is one transaction unless it says the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from flask import current_app

from .. import clock
from ..extensions import db
from ..formatting import format_datetime
from ..geo.models import Municipality
from ..geo.services import find_municipality
from ..inputs import BadInput, check_text
from ..status import TransitionError, transition
from ..subscribers.models import Contact
from ..subscribers.services import SubscriberError, checked_address
from . import audit
from .entitlement import live_order
from .models import LIVE_ORDER_STATUSES, ORDER_TRANSITIONS, AuditAction, Order, OrderContact, OrderSource, OrderStatus
from .moments import moments

INVOICE_MAX = 200
NAME_MAX = 120


class OrderError(ValueError):
    """A Swedish message about an order that cannot be stored as asked; nothing was saved."""


@dataclass(frozen=True)
class ContactInput:
    email: str
    name: str = ""


@dataclass(frozen=True)
class OrderInput:
    year: int
    municipality: str
    contacts: tuple[ContactInput, ...]
    invoice_reference: str = ""
    source: OrderSource = OrderSource.STAFF
    actor: str = ""
    ip_address: str | None = None


@dataclass(frozen=True)
class QueueEntry:
    position: int
    order: Order


def find_order(year: int, municipality_code: str) -> Order | None:
    """Return the municipality's live order for the year (the one holding its place), or None.

    Pending orders from the public form and cancelled orders hold no place, so they are never found here.
    """
    return live_order(year, municipality_code)


def queue(year: int) -> list[QueueEntry]:
    """Return the year's live orders in order of arrival (received_at, then the tie-break sequence)."""
    orders = db.session.scalars(select(Order).where(Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES))
                                .order_by(Order.received_at, Order.sequence))
    return [QueueEntry(position, order) for position, order in enumerate(orders, start=1)]


def pending_orders(year: int) -> list[Order]:
    """Return the year's orders from the public form that nobody entitled stands behind yet, oldest first."""
    return list(db.session.scalars(select(Order).where(Order.year == year, Order.status == OrderStatus.PENDING)
                                   .order_by(Order.received_at, Order.sequence)))


def queue_position(order: Order) -> int | None:
    """Return the order's place in its year's queue (1 = first to arrive), or None when it holds no place."""
    if order.status not in LIVE_ORDER_STATUSES:
        return None
    earlier = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.year == order.year, Order.status.in_(LIVE_ORDER_STATUSES),
        (Order.received_at < order.received_at)
        | ((Order.received_at == order.received_at) & (Order.sequence < order.sequence))))
    return earlier + 1


def next_in_line(year: int) -> QueueEntry | None:
    """Return the first order in the queue whose analysis is not delivered yet."""
    return next((entry for entry in queue(year) if entry.order.status is OrderStatus.RECEIVED), None)


def _municipality(text: str) -> Municipality:
    municipality = find_municipality(text or "")
    if municipality is None:
        raise OrderError(f"Kommun: hittar ingen kommun som heter eller har koden ”{(text or '').strip()}”.")
    return municipality


def _checked_contacts(contacts: tuple[ContactInput, ...]) -> list[tuple[str, str]]:
    checked, seen = [], set()
    for number, contact in enumerate(contacts, start=1):
        name = " ".join((contact.name or "").split())
        if not (contact.email or "").strip():
            continue
        try:
            check_text(name, "namn")
        except BadInput as exc:
            raise OrderError(f"Kontaktperson {number}, {exc}") from None
        try:
            email = checked_address(contact.email)
        except SubscriberError as exc:
            raise OrderError(f"Kontaktperson {number}, e-postadress: {exc}") from None
        if len(name) > NAME_MAX:
            raise OrderError(f"Kontaktperson {number}, namn: högst {NAME_MAX} tecken.")
        if email not in seen:
            seen.add(email)
            checked.append((email, name))
    if not checked:
        raise OrderError("Kontaktperson: skriv e-postadressen till minst en kontaktperson i kommunen.")
    return checked


def create_order(data: OrderInput) -> tuple[Order, int | None]:
    """Store an order with its contacts and queue its receipt; commit; return (order, queue position).

    A staff order is live at once and has a position. An order from the public form is pending (position None)
    until someone entitled stands behind it (`entitlement`); the same form sent again by the same contact for the
    same municipality within `CONFIRMATION_RESEND_MINUTES` is that same order, and no second email goes out.
    """
    municipality = _municipality(data.municipality)
    contacts = _checked_contacts(data.contacts)
    invoice = " ".join((data.invoice_reference or "").split())
    try:
        check_text(invoice, "Fakturareferens")
    except BadInput as exc:
        raise OrderError(f"Fakturareferens: {str(exc).removeprefix('Fakturareferens ')}") from None
    if len(invoice) > INVOICE_MAX:
        raise OrderError(f"Fakturareferens: högst {INVOICE_MAX} tecken.")
    steps = moments(data.year)
    if steps.is_published():
        raise OrderError(f"Resultaten för {data.year} är redan publicerade; rapportpaketet kan inte förbeställas längre.")
    if data.source is OrderSource.FORM and not steps.is_ordering_open():
        raise OrderError(f"Beställningen för {data.year} stängde {format_datetime(steps.orders_close_at)}.")
    for attempt in range(3):
        if find_order(data.year, municipality.code) is not None:
            raise OrderError(f"{municipality.short_name} har redan beställt rapportpaketet för {data.year}. "
                             "En kommun kan bara beställa en gång per år; hör av dig till oss om något ska ändras.")
        if data.source is OrderSource.FORM:
            repeated = _recent_form_order(data.year, municipality.code, contacts[0][0])
            if repeated is not None:
                db.session.commit()
                return repeated, None
        try:
            order = _store(data, municipality, contacts, invoice)
            position = queue_position(order)
            from .emails import queue_order_received

            queue_order_received(order, position)
            db.session.commit()
            return order, position
        except IntegrityError:
            # Another order took the same tie-break number (or the same municipality) at the same moment.
            db.session.rollback()
    raise OrderError("Beställningen kunde inte sparas just nu. Försök igen om en stund.")


def _recent_form_order(year: int, municipality_code: str, email: str) -> Order | None:
    """Return a pending form order for the municipality naming this contact that arrived within the resend window."""
    since = clock.now() - timedelta(minutes=current_app.config["CONFIRMATION_RESEND_MINUTES"])
    return db.session.scalar(
        select(Order).join(OrderContact, OrderContact.order_id == Order.id)
        .join(Contact, Contact.id == OrderContact.contact_id).where(Order.year == year, Order.municipality_code == municipality_code, Order.status == OrderStatus.PENDING,
               Order.source == OrderSource.FORM, Order.received_at >= since, Contact.email == email)
        .order_by(Order.received_at.desc()).limit(1))


def _store(data: OrderInput, municipality: Municipality, contacts: list[tuple[str, str]], invoice: str) -> Order:
    received_at = clock.now()
    sequence = (db.session.scalar(select(func.max(Order.sequence)).where(Order.year == data.year)) or 0) + 1
    status = OrderStatus.PENDING if data.source is OrderSource.FORM else OrderStatus.RECEIVED
    order = Order(year=data.year, municipality_code=municipality.code, received_at=received_at, sequence=sequence,
                  invoice_reference=invoice, status=status, source=data.source,
                  created_by=data.actor[:255], is_demo=data.source is OrderSource.DEMO)
    db.session.add(order)
    db.session.flush()
    audit.record(data.year, AuditAction.ORDER_CREATED, actor=data.actor or audit.FORM,
                 municipality_code=municipality.code,
                 detail=f"{municipality.short_name}, {data.source.label.lower()}"
                        + (f", fakturareferens {invoice}" if invoice else "") + ".")
    from .contacts import add_contact

    for email, name in contacts:
        add_contact(order, email, name, confirmed=data.source is not OrderSource.FORM, actor=data.actor,
                    ip_address=data.ip_address)
    return order


def mark_delivered(order: Order, *, actor: str, reason: str = "") -> None:
    """Mark the order's analysis delivered; out of queue order needs a reason, which is recorded. Commit."""
    reason = " ".join((reason or "").split())
    first = next_in_line(order.year)
    out_of_order = first is not None and first.order.id != order.id
    if out_of_order and order.status is OrderStatus.RECEIVED and not reason:
        raise OrderError(f"Nummer {first.position} i kön ({first.order.municipality.short_name}) har inte fått sin "
                         "analys ännu. Skriv varför den här levereras före.")
    try:
        transition(order, OrderStatus.DELIVERED, ORDER_TRANSITIONS)
    except TransitionError as exc:
        raise OrderError(str(exc)) from None
    order.delivered_at = clock.now()
    if out_of_order:
        order.out_of_order_reason = reason
    audit.record(order.year, AuditAction.ORDER_DELIVERED, actor=actor, municipality_code=order.municipality_code,
                 detail=f"Före sin tur: {reason}" if out_of_order else "I kötur.")
    db.session.commit()


def cancel_order(order: Order, *, actor: str, reason: str = "") -> None:
    """Withdraw an order: the municipality gets no summary and no access; commit."""
    try:
        transition(order, OrderStatus.CANCELLED, ORDER_TRANSITIONS)
    except TransitionError as exc:
        raise OrderError(str(exc)) from None
    audit.record(order.year, AuditAction.ORDER_CANCELLED, actor=actor, municipality_code=order.municipality_code,
                 detail=" ".join((reason or "").split()))
    db.session.commit()
