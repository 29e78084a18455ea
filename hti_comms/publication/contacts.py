"""The people named on an order: municipal officials who confirm by email, staff who approve them, removal.

When a contact of a pending order from the public form both confirmed and was approved, the order takes its place
(`entitlement.take_place`). Each public function is one transaction unless it says the caller commits.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..extensions import db
from ..formatting import format_datetime
from ..subscribers.models import Affiliation, ConsentAction, ConsentSource, ContactStatus, LegalBasis, Role
from ..subscribers.services import add_affiliation, change_status, find_contact, new_contact, record
from ..tokens import BadToken, make_personal_token, new_subject_key, read_personal_token
from . import audit
from .entitlement import take_place
from .models import AuditAction, Order, OrderContact, OrderStatus
from .orders import OrderError, find_order, queue_position

CONFIRM_PURPOSE = "report-order-contact"
CONFIRM_DAYS = 7


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

    A pending order whose contact staff already approved takes its place now. Between the embargo release and
    the publication their summary goes out at once.
    """
    contact_id = order_contact.id
    for attempt in range(2):
        try:
            _confirm(order_contact, ip_address, may_take_place=attempt == 0)
            db.session.commit()
            return
        except IntegrityError:
            # Another order of the municipality took the place at the same moment: confirm without taking it.
            db.session.rollback()
            order_contact = db.session.get(OrderContact, contact_id)


def _confirm(order_contact: OrderContact, ip_address: str | None, *, may_take_place: bool) -> None:
    if order_contact.confirmed_at is not None:
        return
    order_contact.confirmed_at = clock.now()
    contact = order_contact.contact
    if contact.status is not ContactStatus.CONFIRMED:
        change_status(contact, ContactStatus.CONFIRMED)
        record(contact, ConsentAction.CONFIRMED, ConsentSource.EMAIL_LINK, ip_address=ip_address)
    order = order_contact.order
    audit.record(order.year, AuditAction.CONTACT_CONFIRMED, actor=contact.email,
                 municipality_code=order.municipality_code, detail=contact.email)
    if may_take_place:
        take_place(order, actor=contact.email)
    from .summaries import send_summary_if_released

    send_summary_if_released(order)


def approve_contact(order_contact: OrderContact, *, actor: str) -> None:
    """Staff checked that the person is the municipality's contact; from now on they may receive its results
    (between the embargo release and the publication their summary goes out at once), and a pending order they
    confirmed takes its place. Commit; OrderError (nothing saved) when the municipality has another live order."""
    order = order_contact.order
    name, year = order.municipality.short_name, order.year
    if order.status is OrderStatus.CANCELLED:
        raise OrderError(f"Beställningen från {name} för {year} är makulerad; godkänn kontaktpersonen på kommunens "
                         "giltiga beställning i stället.")
    live = find_order(year, order.municipality_code)
    if live is not None and live.id != order.id:
        raise OrderError(
            f"{name} har redan en beställning i kön för {year}: nummer {queue_position(live)}, mottagen "
            f"{format_datetime(live.received_at)}. Makulera den här beställningen, eller makulera den andra först "
            "om den här är den rätta.")
    if order_contact.approved_at is not None:
        return
    try:
        order_contact.approved_at = clock.now()
        order_contact.approved_by = actor
        audit.record(year, AuditAction.CONTACT_APPROVED, actor=actor, municipality_code=order.municipality_code,
                     detail=order_contact.contact.email)
        take_place(order, actor=actor)
        from .summaries import send_summary_if_released

        send_summary_if_released(order)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise OrderError(f"En annan beställning från {name} fick sin plats i kön för {year} i samma stund. Inget "
                         "ändrades; ladda om sidan och se efter.") from None


def remove_contact(order_contact: OrderContact, *, actor: str) -> None:
    """Take a contact off an order (they get nothing more about it); commit."""
    order = order_contact.order
    audit.record(order.year, AuditAction.CONTACT_REMOVED, actor=actor, municipality_code=order.municipality_code,
                 detail=order_contact.contact.email)
    order.contacts.remove(order_contact)
    db.session.commit()
