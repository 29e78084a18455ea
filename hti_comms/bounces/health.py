"""What the suppression list says about one address, and list health: bounce and complaint rates."""
from __future__ import annotations

from .. import clock
from ..addresses import lookup_form
from ..delivery import returns
from .services import soft_bounces


def suppression_state(email: str) -> dict:
    """Return the `hti suppression show` record for the address."""
    from ..subscribers.models import ContactStatus
    from ..subscribers.services import find_contact

    address = lookup_form(email)
    entry = returns.suppression_of(address)
    contact = find_contact(address)
    reason = entry.reason if entry is not None else None
    if reason is None and contact is not None and contact.status is ContactStatus.UNSUBSCRIBED:
        reason = "unsubscribed"
    gets_mail = reason is None and contact is not None and contact.status is ContactStatus.CONFIRMED
    return {
        "email": address,
        "suppressed": reason is not None,
        "reason": reason,
        "soft_bounces_30d": soft_bounces(address, clock.now())[0],
        "lists": sorted(contact.list_keys) if gets_mail else [],
    }
