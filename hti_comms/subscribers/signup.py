"""Public sign-up and the confirmation of an address; each public function is one transaction."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select

from ..clock import now
from ..delivery.api import sent_too_recently
from ..extensions import db
from ..tokens import BadToken, read_personal_token
from . import consent, notify
from .confirmation import CONFIRM_PURPOSE
from .models import ConsentAction, ConsentSource, Contact, ContactStatus, MailingList
from .places import Place
from .services import (
    SubscriberError, add_affiliation, all_lists, build_affiliation, change_status, checked_address, find_contact,
    lists_for_keys, new_contact, record, set_lists,
)


class SignUpResult(enum.Enum):
    #: A confirmation email goes out (new address, unconfirmed again, or back after leaving).
    NEEDS_CONFIRMATION = "needs_confirmation"
    #: The address is already confirmed: they are told so by email, nothing changes.
    ALREADY_CONFIRMED = "already_confirmed"


@dataclass
class SignUpRequest:
    name: str
    email: str
    place: Place
    list_keys: list[str]
    ip_address: str | None = None
    text_version: str = consent.CURRENT_VERSION


@dataclass
class SignUpOutcome:
    result: SignUpResult
    contact: Contact


def sign_up(request: SignUpRequest) -> SignUpOutcome:
    """Record a sign-up from the public form; the answer must not reveal whether the address was known."""
    email = checked_address(request.email)
    lists = lists_for_keys(request.list_keys)
    if not lists:
        raise SubscriberError("Välj minst en lista.")
    affiliation = build_affiliation(request.place)
    contact = find_contact(email)
    if contact is not None and contact.status is ContactStatus.CONFIRMED:
        # Nothing changes until the address's owner confirms the new lists by email (no second contact); the same
        # form posted again and again sends one email within the resend window.
        if not sent_too_recently(contact.confirmation_sent_at):
            notify.already_subscribed(contact, [m for m in lists if m.key not in contact.list_keys])
            contact.confirmation_sent_at = now()
        db.session.commit()
        return SignUpOutcome(SignUpResult.ALREADY_CONFIRMED, contact)
    if contact is None:
        contact = new_contact(email, request.name, ContactStatus.PENDING)
    else:
        # Unconfirmed or left earlier: the newest form wins, and the person must confirm again.
        contact.name = " ".join(request.name.split()) or contact.name
        change_status(contact, ContactStatus.PENDING)
        contact.status_changed_at = now()
    add_affiliation(contact, affiliation)
    set_lists(contact, lists)
    record(contact, ConsentAction.SIGNED_UP, ConsentSource.FORM, ip_address=request.ip_address,
           text_version=request.text_version)
    if not sent_too_recently(contact.confirmation_sent_at):
        # The link in the email sent a moment ago confirms this newest form too (the same contact and key).
        notify.confirmation_for_sign_up(contact)
        contact.confirmation_sent_at = now()
    db.session.commit()
    return SignUpOutcome(SignUpResult.NEEDS_CONFIRMATION, contact)


class ConfirmResult(enum.Enum):
    #: The link is good and the address waits for confirmation: the page asks for a press of the button.
    READY = "ready"
    #: A confirmed address was offered more lists: the page asks for a press of the button to add them.
    READY_TO_ADD = "ready_to_add"
    CONFIRMED = "confirmed"
    ALREADY_CONFIRMED = "already_confirmed"
    EXPIRED = "expired"
    INVALID = "invalid"


def lists_to_add(token: str) -> list[MailingList]:
    """Return the lists a confirmation link for a confirmed address would add (none for a sign-up's link)."""
    try:
        keys = read_personal_token(CONFIRM_PURPOSE, token).extra.get("l") or []
    except BadToken:
        return []
    if not isinstance(keys, list):
        return []
    found = {m.key: m for m in all_lists()}
    return [found[k] for k in keys if isinstance(k, str) and k in found]


def check_confirmation(token: str) -> tuple[ConfirmResult, Contact | None]:
    """Return what a confirmation link would do, changing nothing (opening a link must never confirm)."""
    try:
        link = read_personal_token(CONFIRM_PURPOSE, token)
    except BadToken as bad:
        return (ConfirmResult.EXPIRED if bad.expired else ConfirmResult.INVALID), None
    contact = db.session.scalar(select(Contact).where(Contact.link_key == link.subject))
    if contact is None:
        return ConfirmResult.INVALID, None
    if "l" in link.extra:
        # A link that adds lists to a confirmed address; one that has left since gets nothing back by it.
        if contact.status is not ContactStatus.CONFIRMED:
            return ConfirmResult.INVALID, None
        missing = [m for m in lists_to_add(token) if m.key not in contact.list_keys]
        return (ConfirmResult.READY_TO_ADD if missing else ConfirmResult.ALREADY_CONFIRMED), contact
    if contact.status is ContactStatus.CONFIRMED:
        return ConfirmResult.ALREADY_CONFIRMED, contact
    if contact.status is not ContactStatus.PENDING:
        # They left after this link was sent; an old link must not bring them back.
        return ConfirmResult.INVALID, None
    return ConfirmResult.READY, contact


def confirm(token: str, ip_address: str | None = None) -> tuple[ConfirmResult, Contact | None]:
    """Confirm the address a confirmation link was sent to (the person pressed the button on its page)."""
    result, contact = check_confirmation(token)
    if result is ConfirmResult.READY_TO_ADD:
        set_lists(contact, [s.mailing_list for s in contact.subscriptions] +
                  [m for m in lists_to_add(token) if m.key not in contact.list_keys])
        record(contact, ConsentAction.LISTS_CHANGED, ConsentSource.EMAIL_LINK, ip_address=ip_address,
               text_version=consent.CURRENT_VERSION)
        db.session.commit()
        return ConfirmResult.CONFIRMED, contact
    if result is not ConfirmResult.READY:
        return result, contact
    change_status(contact, ContactStatus.CONFIRMED)
    signed_up = next((e for e in contact.consent_events if e.text_version), None)
    record(contact, ConsentAction.CONFIRMED, ConsentSource.EMAIL_LINK, ip_address=ip_address,
           text_version=signed_up.text_version if signed_up else consent.CURRENT_VERSION)
    notify.welcome(contact)  # with the preference link, which no email before this one carried
    db.session.commit()
    return ConfirmResult.CONFIRMED, contact
