"""The emails of the subscribers domain, written to the delivery outbox in the caller's transaction."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from ..delivery.owner import Owner
from ..delivery.api import EmailSpec, Recipient, enqueue
from ..extensions import db
from .audiences import Member
from .confirmation import confirmation_url
from .models import Contact, MailingList


def _list_names(contact: Contact) -> str:
    return ", ".join(sorted(s.mailing_list.name for s in contact.subscriptions))


def confirmation_for_sign_up(contact: Contact) -> None:
    """Queue the confirmation email of a sign-up (transactional: sent although the address is unconfirmed)."""
    spec = EmailSpec(template="subscribers/confirm", subject="Bekräfta din anmälan till Hemtjänstindex",
                     context={"is_import": False}, kind="confirmation",
                     owner=Owner.of("subscribers", "confirmation", contact.id))
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id,
                             {"confirm_url": confirmation_url(contact.link_key),
                              "lists": _list_names(contact)}, link_key=contact.link_key)])


def confirmations_for(members: Iterable[Member], *, reference: str | None = None) -> None:
    """Queue one confirmation email per imported or staff-added contact who must opt in."""
    spec = EmailSpec(template="subscribers/confirm", subject="Vill du få e-post om Hemtjänstindex?",
                     context={"is_import": True}, kind="confirmation", reference=reference,
                     owner=Owner("subscribers", "import-confirmation", reference or ""))
    members = list(members)
    keys = _link_keys([m.contact_id for m in members if m.link_key is None])
    enqueue(spec, (Recipient(m.email, m.name, m.contact_id,
                             {"confirm_url": confirmation_url(m.link_key or keys[m.contact_id])},
                             link_key=m.link_key or keys[m.contact_id]) for m in members))


def _link_keys(contact_ids: list[int]) -> dict[int, str]:
    """Return {contact id: link key} for contacts written in bulk (an import), in chunks of a few thousand."""
    found: dict[int, str] = {}
    for start in range(0, len(contact_ids), 5000):
        chunk = contact_ids[start:start + 5000]
        found.update((contact_id, key) for contact_id, key in db.session.execute(
            select(Contact.id, Contact.link_key).where(Contact.id.in_(chunk))))
    return found


def already_subscribed(contact: Contact, new_lists: list[MailingList] = ()) -> None:
    """Tell a confirmed person who signed up again that they already get our mail, and how to change it.

    `new_lists` are lists the form asked for that they do not get yet: the email offers a link that adds them
    (the page it opens has a button), so nobody can add lists to someone else's address.
    """
    fields = {"lists": _list_names(contact)}
    subject = "Du får redan e-post om Hemtjänstindex"
    # A template is rendered once per send with placeholders for recipient.fields: what decides which text it
    # shows goes in the context (each of these sends has one recipient).
    context = {"new_lists": ", ".join(m.name for m in new_lists)}
    if new_lists:
        subject = "Bekräfta att du vill få fler utskick från Hemtjänstindex"
        fields["add_url"] = confirmation_url(contact.link_key, [m.key for m in new_lists])
    spec = EmailSpec(template="subscribers/already_subscribed", subject=subject, context=context,
                     kind="already_subscribed", owner=Owner.of("subscribers", "already-subscribed", contact.id))
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id, fields, link_key=contact.link_key)])


def welcome(contact: Contact) -> None:
    """Welcome a person who just confirmed, with their preference link (transactional; the caller commits)."""
    from flask import current_app

    spec = EmailSpec(template="subscribers/welcome", subject="Välkommen till utskicken från Hemtjänstindex",
                     context={"link_days": current_app.config["PREFERENCES_LINK_DAYS"]}, kind="welcome",
                     owner=Owner.of("subscribers", "welcome", contact.id))
    enqueue(spec, [Recipient(contact.email, contact.name, contact.id, {"lists": _list_names(contact)},
                             link_key=contact.link_key)])
