"""The emails of the subscribers domain, written to the delivery outbox in the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterable

from ..delivery.outbox import EmailSpec, Recipient, enqueue
from .audiences import Member
from .confirmation import confirmation_url
from .models import Contact


def _list_names(contact: Contact) -> str:
    return ", ".join(sorted(s.mailing_list.name for s in contact.subscriptions))


def confirmation_for_sign_up(contact: Contact) -> None:
    """Queue the confirmation email of a sign-up (transactional: sent although the address is unconfirmed)."""
    spec = EmailSpec(template="subscribers/confirm", subject="Bekräfta din anmälan till Hemtjänstindex",
                     context={"is_import": False}, kind="confirmation")
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id,
                             {"confirm_url": confirmation_url(contact.id, contact.email),
                              "lists": _list_names(contact)}, link_key=contact.link_key)])


def confirmations_for(members: Iterable[Member], *, reference: str | None = None) -> None:
    """Queue one confirmation email per imported or staff-added contact who must opt in."""
    spec = EmailSpec(template="subscribers/confirm", subject="Vill du få e-post om Hemtjänstindex?",
                     context={"is_import": True}, kind="confirmation", reference=reference)
    enqueue(spec, (Recipient(m.email, m.name, m.contact_id, {"confirm_url": confirmation_url(m.contact_id, m.email)},
                             link_key=m.link_key) for m in members))


def already_subscribed(contact: Contact) -> None:
    """Tell a confirmed person who signed up again that they already get our mail, and how to change it."""
    spec = EmailSpec(template="subscribers/already_subscribed", subject="Du får redan e-post om Hemtjänstindex",
                     context={}, kind="already_subscribed")
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id, {"lists": _list_names(contact)},
                             link_key=contact.link_key)])
