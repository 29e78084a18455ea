"""Where the publication desk needs a second person with the role publicering (`hti_comms.approvals`).

- Moving the publication moment when less than 72 hours remain to the embargo release (or after it): a mistake
  then reaches every ordering municipality's contacts, the newspapers and the public at once.
- Approving a municipality's contact during the embargo (from the release to the publication): the person gets the
  municipality's results at once, before anyone else may see them.

The command line acts as the operator and needs no second person.
"""
from __future__ import annotations

from datetime import timedelta

from flask_login import current_user

from .. import clock
from ..auth.roles import Role
from ..extensions import db
from ..formatting import format_datetime
from .models import Order, OrderContact
from .moments import PublicationError, moments

#: How long before the embargo release a move of the publication moment needs a second person.
LATE_MOVE = timedelta(hours=72)


def moment_needs_approval(year: int) -> bool:
    release = moments(year).embargo_release_at
    return release is not None and clock.now() >= release - LATE_MOVE


def contact_needs_approval(order: Order) -> bool:
    steps = moments(order.year)
    return steps.is_embargo_released() and not steps.is_published()


def ask_to_move(year: int, published_at, close_at, *, notify_registered: bool = False):
    """Ask a second person to approve the new moments (checked now, carried out when approved); commit."""
    from ..approvals.services import ask

    before = moments(year)
    if before.is_published():
        raise PublicationError(f"Publicering: resultaten för {year} är redan publicerade.")
    text = f"publiceringen {year} flyttas från {format_datetime(before.published_at)} till {format_datetime(published_at)}"
    if close_at is not None:
        text += f", beställningen stänger {format_datetime(close_at)}"
    request = ask("publication_moment", Role.PUBLICERING, requested_by=current_user._get_current_object(),
                  title=f"Ny publiceringstid {year}", audience="", year=year,
                  payload={"published_at": published_at.isoformat(),
                           "orders_close_at": close_at.isoformat() if close_at else None,
                           "notify_registered": notify_registered,
                           "text": text + (", och de anmälda får besked om den nya tiden." if notify_registered
                                           else ".")})
    db.session.commit()
    return request


def ask_to_approve_contact(order_contact: OrderContact):
    """Ask a second person to approve a municipality's contact during the embargo; commit."""
    from ..approvals.services import ask

    order = order_contact.order
    request = ask("order_contact", Role.PUBLICERING, requested_by=current_user._get_current_object(),
                  title=f"Kontaktperson för {order.municipality.short_name} {order.year}: {order_contact.contact.email}",
                  audience="", year=order.year, order_contact_id=order_contact.id,
                  payload={"text": f"{order_contact.contact.email} får {order.municipality.short_name}s resultat "
                                   "genast, före publiceringen."})
    db.session.commit()
    return request
