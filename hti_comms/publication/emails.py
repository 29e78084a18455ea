"""The order emails: the receipt (from the public form with the confirmation button and no place in the queue
yet), and the queue place when an order from the form becomes live."""
from __future__ import annotations

from collections.abc import Sequence

from ..delivery.api import EmailSpec, Recipient, enqueue
from .owners import order_owner
from ..formatting import format_datetime
from .links import confirm_url
from .models import Order, OrderContact, OrderSource


def _context(order: Order, position: int | None, needs_confirmation: bool) -> dict:
    return {"year": order.year, "municipality_name": order.municipality.short_name, "position": position,
            "received_at": format_datetime(order.received_at), "invoice_reference": order.invoice_reference,
            "needs_confirmation": needs_confirmation}


def queue_order_received(order: Order, position: int | None) -> None:
    """Queue the order receipt to every contact of the order (the caller commits).

    A staff order states its place in the queue; an order from the public form has none until someone entitled
    stands behind it, so its receipt asks for the confirmation instead.
    """
    from .contacts import confirmation_token

    needs_confirmation = order.source is OrderSource.FORM
    subject = (f"Er beställning av rapportpaketet {order.year} är nummer {position} i kön" if position is not None
               else f"Bekräfta er beställning av rapportpaketet {order.year}")
    spec = EmailSpec(template="publication/order_received", subject=subject,
                     context=_context(order, position, needs_confirmation),
                     kind="report_order_received", reference=f"report-order:{order.id}:received",
                     owner=order_owner(order.id, "received"))
    enqueue(spec, [Recipient(oc.contact.email, oc.contact.name, oc.contact.id,
                             {"confirm_url": confirm_url(confirmation_token(oc)) if needs_confirmation else ""},
                             link_key=oc.contact.link_key) for oc in order.contacts])


def queue_order_placed(order: Order, position: int, contacts: Sequence[OrderContact]) -> None:
    """Tell the contacts who stand behind an order from the form its place in the queue (the caller commits)."""
    spec = EmailSpec(template="publication/order_received",
                     subject=f"Er beställning av rapportpaketet {order.year} är nummer {position} i kön",
                     context=_context(order, position, False), kind="report_order_received",
                     reference=f"report-order:{order.id}:placed", owner=order_owner(order.id, "placed"))
    enqueue(spec, [Recipient(oc.contact.email, oc.contact.name, oc.contact.id, {"confirm_url": ""},
                             link_key=oc.contact.link_key) for oc in contacts])
