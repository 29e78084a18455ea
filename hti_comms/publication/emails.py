"""The order emails: receipt with the queue position (and, from the public form, the confirmation button)."""
from __future__ import annotations

from ..delivery.outbox import EmailSpec, Recipient, enqueue
from ..formatting import format_datetime
from .links import confirm_url
from .models import Order, OrderSource


def queue_order_received(order: Order, position: int) -> None:
    """Queue the order receipt to every contact of the order (the caller commits)."""
    from .orders import confirmation_token

    needs_confirmation = order.source is OrderSource.FORM
    spec = EmailSpec(
        template="publication/order_received",
        subject=f"Er beställning av rapportpaketet {order.year} är nummer {position} i kön",
        context={"year": order.year, "municipality_name": order.municipality.short_name, "position": position,
                 "received_at": format_datetime(order.received_at), "invoice_reference": order.invoice_reference,
                 "needs_confirmation": needs_confirmation},
        kind="report_order_received", reference=f"report-order:{order.id}:received")
    enqueue(spec, [Recipient(oc.contact.email, oc.contact.name, oc.contact.id,
                             {"confirm_url": confirm_url(confirmation_token(oc)) if needs_confirmation else ""},
                             link_key=oc.contact.link_key) for oc in order.contacts])
