"""Report-package orders: arrival, the queue, contacts (double opt-in as municipal officials), delivery in order.

Each public function is one transaction unless it says the caller commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..formatting import format_datetime
from ..geo.models import Municipality
from ..geo.services import find_municipality
from ..status import TransitionError, transition
from ..subscribers.models import Affiliation, ConsentAction, ConsentSource, ContactStatus, LegalBasis, Role
from ..subscribers.services import (
    SubscriberError, add_affiliation, change_status, checked_address, find_contact, new_contact, record,
)
from ..tokens import BadToken, make_personal_token, new_subject_key, read_personal_token
from . import audit
from .models import ORDER_TRANSITIONS, AuditAction, Order, OrderContact, OrderSource, OrderStatus
from .moments import moments

CONFIRM_PURPOSE = "report-order-contact"
CONFIRM_DAYS = 7
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
    return db.session.scalar(select(Order).where(Order.year == year, Order.municipality_code == municipality_code))


def queue(year: int) -> list[QueueEntry]:
    """Return the year's active orders in order of arrival (received_at, then the tie-break sequence)."""
    orders = db.session.scalars(select(Order).where(Order.year == year, Order.status != OrderStatus.CANCELLED)
                                .order_by(Order.received_at, Order.sequence))
    return [QueueEntry(position, order) for position, order in enumerate(orders, start=1)]


def queue_position(order: Order) -> int | None:
    """Return the order's place in its year's queue (1 = first to arrive), or None when it is cancelled."""
    if order.status is OrderStatus.CANCELLED:
        return None
    earlier = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.year == order.year, Order.status != OrderStatus.CANCELLED,
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


def create_order(data: OrderInput) -> tuple[Order, int]:
    """Store an order with its contacts and queue the confirmation; commit; return (order, queue position)."""
    municipality = _municipality(data.municipality)
    contacts = _checked_contacts(data.contacts)
    invoice = " ".join((data.invoice_reference or "").split())
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


def _store(data: OrderInput, municipality: Municipality, contacts: list[tuple[str, str]], invoice: str) -> Order:
    received_at = clock.now()
    sequence = (db.session.scalar(select(func.max(Order.sequence)).where(Order.year == data.year)) or 0) + 1
    order = Order(year=data.year, municipality_code=municipality.code, received_at=received_at, sequence=sequence,
                  invoice_reference=invoice, status=OrderStatus.RECEIVED, source=data.source,
                  created_by=data.actor[:255], is_demo=data.source is OrderSource.DEMO)
    db.session.add(order)
    db.session.flush()
    audit.record(data.year, AuditAction.ORDER_CREATED, actor=data.actor or audit.FORM,
                 municipality_code=municipality.code,
                 detail=f"{municipality.short_name}, {data.source.label.lower()}"
                        + (f", fakturareferens {invoice}" if invoice else "") + ".")
    for email, name in contacts:
        add_contact(order, email, name, confirmed=data.source is not OrderSource.FORM, actor=data.actor,
                    ip_address=data.ip_address)
    return order


def add_contact(order: Order, email: str, name: str, *, confirmed: bool, actor: str,
                ip_address: str | None = None) -> OrderContact:
    """Name a municipal official on the order (the subscribers domain keeps the person); the caller commits.

    `confirmed` is for staff entry (they vouch for the person); otherwise the person confirms with the link in
    the order email before anything with results reaches them.
    """
    contact = find_contact(email)
    if contact is None:
        contact = new_contact(email, name, ContactStatus.CONFIRMED if confirmed else ContactStatus.PENDING)
        record(contact, ConsentAction.ADDED_BY_STAFF if confirmed else ConsentAction.SIGNED_UP,
               ConsentSource.STAFF if confirmed else ConsentSource.FORM, ip_address=ip_address,
               legal_basis=LegalBasis.CONSENT_GIVEN if confirmed else None, actor=actor)
    elif confirmed and contact.status is not ContactStatus.CONFIRMED:
        change_status(contact, ContactStatus.CONFIRMED)
        record(contact, ConsentAction.ADDED_BY_STAFF, ConsentSource.STAFF, legal_basis=LegalBasis.CONSENT_GIVEN,
               actor=actor)
    if name and not contact.name:
        contact.name = name
    add_affiliation(contact, Affiliation(role=Role.MUNICIPAL_OFFICIAL, municipality_code=order.municipality_code))
    db.session.flush()
    now = clock.now()
    order_contact = OrderContact(contact=contact, key=new_subject_key(), created_at=now,
                                 confirmed_at=now if confirmed else None, approved_at=now if confirmed else None,
                                 approved_by=actor if confirmed else None)
    order.contacts.append(order_contact)
    db.session.flush()
    audit.record(order.year, AuditAction.CONTACT_ADDED, actor=actor or audit.FORM,
                 municipality_code=order.municipality_code,
                 detail=f"{contact.email}" + (" (bekräftad av personal)" if confirmed else " (ska bekräfta själv)"))
    return order_contact


def confirmation_token(order_contact: OrderContact) -> str:
    return make_personal_token(CONFIRM_PURPOSE, order_contact.key, timedelta(days=CONFIRM_DAYS))


def contact_for_confirmation(token: str) -> OrderContact | None:
    """Return the order contact a confirmation link names, or None (tampered, expired or withdrawn)."""
    try:
        subject = read_personal_token(CONFIRM_PURPOSE, token).subject
    except BadToken:
        return None
    order_contact = db.session.scalar(select(OrderContact).where(OrderContact.key == subject))
    if order_contact is None or order_contact.order.status is OrderStatus.CANCELLED:
        return None
    return order_contact


def confirm_contact(order_contact: OrderContact, *, ip_address: str | None = None) -> None:
    """Confirm the person as the municipality's contact for the order (they pressed the button); commit.

    Between the embargo release and the publication their summary goes out at once.
    """
    if order_contact.confirmed_at is None:
        order_contact.confirmed_at = clock.now()
        contact = order_contact.contact
        if contact.status is not ContactStatus.CONFIRMED:
            change_status(contact, ContactStatus.CONFIRMED)
            record(contact, ConsentAction.CONFIRMED, ConsentSource.EMAIL_LINK, ip_address=ip_address)
        order = order_contact.order
        audit.record(order.year, AuditAction.CONTACT_CONFIRMED, actor=contact.email,
                     municipality_code=order.municipality_code, detail=contact.email)
        from .summaries import send_summary_if_released

        send_summary_if_released(order)
    db.session.commit()


def approve_contact(order_contact: OrderContact, *, actor: str) -> None:
    """Staff checked that the person is the municipality's contact; from now on they may receive its results
    (between the embargo release and the publication their summary goes out at once). Commit."""
    if order_contact.approved_at is None:
        order_contact.approved_at = clock.now()
        order_contact.approved_by = actor
        order = order_contact.order
        audit.record(order.year, AuditAction.CONTACT_APPROVED, actor=actor,
                     municipality_code=order.municipality_code, detail=order_contact.contact.email)
        from .summaries import send_summary_if_released

        send_summary_if_released(order)
    db.session.commit()


def remove_contact(order_contact: OrderContact, *, actor: str) -> None:
    """Take a contact off an order (they get nothing more about it); commit."""
    order = order_contact.order
    audit.record(order.year, AuditAction.CONTACT_REMOVED, actor=actor, municipality_code=order.municipality_code,
                 detail=order_contact.contact.email)
    order.contacts.remove(order_contact)
    db.session.commit()


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


def entitled_contacts(order: Order) -> list[OrderContact]:
    """Return the order's contacts who may receive its results: confirmed, and not left everything since."""
    if order.status is OrderStatus.CANCELLED:
        return []
    return [oc for oc in order.contacts
            if oc.confirmed_at is not None and oc.approved_at is not None
            and oc.contact.status is ContactStatus.CONFIRMED]


def active_orders(year: int) -> list[Order]:
    return [entry.order for entry in queue(year)]
