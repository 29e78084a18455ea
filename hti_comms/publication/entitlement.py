"""The order rule: who stands behind a report-package order, and so who may see a municipality's results early.

- Anyone can type any municipality and any address into the public form (`/bestall`). An order from it is
  *pending*: it holds no place in the queue and stops nobody else from ordering for the municipality, so several
  pending orders for one municipality may exist side by side and throwaway orders block nothing.
- A pending order becomes *live* (takes the municipality's one place for the year) once one of its contacts has
  confirmed their address with the button in the email **and** staff have approved them as the municipality's
  contact, whichever comes last. Orders staff enter (the staff page, `hti order create`) are live at once.
- The first pending order to become live takes the place; approving a contact of another order of the same
  municipality and year is then refused, naming the live one, and the others stay pending until staff cancel them.
- A live order's place in the queue follows its arrival (`received_at`, then the tie-break), not the moment it
  became live: the promise is that analyses are written "in the order the orders arrived", a municipality orders
  when it sends the form, and the time its email and SPF's own check take is not its doing. The receipt of a
  pending order therefore names no place; the contact gets the place by email when the order becomes live.
- Cancelling an order frees the place (the unique index covers live orders only): a new order may take it.
- Only contacts who confirmed, were approved and have not left everything, on a live order of that municipality
  and year, receive its results before publication; the delivery worker asks again for each recipient at every
  claim (`refuse_unentitled_recipients`).
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from ..extensions import db
from ..release import Addressee, ManyRecipientGuard, carried_results
from ..status import transition
from ..subscribers.models import Contact, ContactStatus
from . import audit
from .emails import queue_order_placed
from .models import LIVE_ORDER_STATUSES, ORDER_TRANSITIONS, AuditAction, Order, OrderContact, OrderStatus

NOT_ENTITLED = ("Stoppat: mottagaren är inte längre en bekräftad och godkänd kontaktperson för kommunens "
                "beställning, så resultaten skickas inte före publiceringen.")


def stands_behind(order_contact: OrderContact) -> bool:
    """Return whether the person confirmed their address, was approved by staff and has not left everything."""
    return (order_contact.confirmed_at is not None and order_contact.approved_at is not None
            and order_contact.contact.status is ContactStatus.CONFIRMED)


def entitled_contacts(order: Order) -> list[OrderContact]:
    """Return the contacts of a live order who may receive its results (none for a pending or cancelled order)."""
    if order.status not in LIVE_ORDER_STATUSES:
        return []
    return [oc for oc in order.contacts if stands_behind(oc)]


def live_order(year: int, municipality_code: str) -> Order | None:
    """Return the order holding the municipality's place for the year, or None."""
    return db.session.scalar(select(Order).where(Order.year == year, Order.municipality_code == municipality_code,
                                                 Order.status.in_(LIVE_ORDER_STATUSES)))


def take_place(order: Order, *, actor: str) -> bool:
    """Make a pending order live when someone entitled stands behind it and the place is free (caller commits).

    Return whether it became live now. Its contacts who stand behind it are told its place in the queue.
    """
    if order.status is not OrderStatus.PENDING or not any(stands_behind(oc) for oc in order.contacts):
        return False
    if live_order(order.year, order.municipality_code) is not None:
        return False
    transition(order, OrderStatus.RECEIVED, ORDER_TRANSITIONS)
    db.session.flush()  # the partial unique index refuses a second live order here (two approvals at once)
    from .orders import queue_position  # orders builds on this module

    position = queue_position(order)
    audit.record(order.year, AuditAction.ORDER_PLACED, actor=actor, municipality_code=order.municipality_code,
                 detail=f"Nummer {position} i kön, räknat från när beställningen kom in.")
    queue_order_placed(order, position, [oc for oc in order.contacts if stands_behind(oc)])
    return True


def entitled_addresses(year: int, municipality_code: str) -> tuple[set[int], set[str]]:
    """Return (contact ids, lower-case addresses) of everyone entitled to the municipality's results of the year."""
    return entitled_addresses_of({(year, municipality_code)})[year, municipality_code]


def entitled_addresses_of(wanted: Collection[tuple[int, str]]) -> dict[tuple[int, str], tuple[set[int], set[str]]]:
    """Return {(year, municipality code): (contact ids, lower-case addresses)} of everyone entitled to each
    municipality's results of that year, for every pair in `wanted` (one query for them all)."""
    found: dict[tuple[int, str], tuple[set[int], set[str]]] = {key: (set(), set()) for key in wanted}
    if not found:
        return found
    rows = db.session.execute(
        select(Order.year, Order.municipality_code, Contact.id, Contact.email).select_from(OrderContact)
        .join(Order, Order.id == OrderContact.order_id).join(Contact, Contact.id == OrderContact.contact_id)
        .where(Order.year.in_({year for year, _code in found}),
               Order.municipality_code.in_({code for _year, code in found}),
               Order.status.in_(LIVE_ORDER_STATUSES), OrderContact.confirmed_at.is_not(None),
               OrderContact.approved_at.is_not(None), Contact.status == ContactStatus.CONFIRMED)).all()
    for year, code, contact_id, email in rows:
        entitled = found.get((year, code))
        if entitled is not None:  # the IN lists also match pairs nobody asked about
            entitled[0].add(contact_id)
            entitled[1].add(email.lower())
    return found


def refuse_unentitled(asked: Sequence[tuple[object, Sequence[Addressee]]]) -> list[dict[Addressee, str]]:
    """Recipient guard (`Domain.recipient_guards`, a `ManyRecipientGuard`): refuse, at every claim, anyone who may
    no longer receive the municipality's results before publication (removed from the order, the order
    cancelled, left everything). One query answers for every send of the claim."""
    carried = [carried_results(send.owner) for send, _recipients in asked]
    entitled = entitled_addresses_of({(c.year, c.municipality_code) for c in carried
                                      if c is not None and c.embargoed and c.municipality_code is not None})
    answers: list[dict[Addressee, str]] = []
    for (_send, recipients), results in zip(asked, carried, strict=True):
        if results is None or not results.embargoed:
            answers.append({})
        elif results.municipality_code is None:
            answers.append({recipient: NOT_ENTITLED for recipient in recipients})
        else:
            contact_ids, addresses = entitled[results.year, results.municipality_code]
            answers.append({recipient: NOT_ENTITLED for recipient in recipients
                            if recipient.contact_id not in contact_ids and recipient.email.lower() not in addresses})
    return answers


#: The recipient guard the publication domain declares (asked about one send, or about a whole claim at once).
refuse_unentitled_recipients = ManyRecipientGuard(refuse_unentitled)


def entitled_contact(key: str, year: int, municipality_code: str) -> OrderContact | None:
    """Return the order contact a personal link names (their key), if they may still act for the municipality's
    live order of the year: confirmed, approved and still there (other domains' personal links use this)."""
    order_contact = db.session.scalar(select(OrderContact).where(OrderContact.key == key))
    if order_contact is None:
        return None
    order = order_contact.order
    if order.year != year or order.municipality_code != municipality_code:
        return None
    return order_contact if order_contact in entitled_contacts(order) else None


def entitled_contacts_of_year(year: int) -> dict[str, list[OrderContact]]:
    """Return {municipality code: its entitled contacts} for every live order of the year, in queue order."""
    orders = db.session.scalars(select(Order).where(Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES))
                                .order_by(Order.received_at, Order.sequence))
    return {order.municipality_code: entitled_contacts(order) for order in orders}
