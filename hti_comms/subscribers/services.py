"""Contacts, their lists and consent, preferences and unsubscribing; each public function is one transaction.

Sign-up and the confirmation of an address are in `signup`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..addresses import InvalidAddress, normalise_address
from ..clock import now
from ..delivery.services import withdraw_list_mail
from ..extensions import db
from ..status import TransitionError, transition
from ..tokens import new_subject_key
from . import consent
from .models import (
    CONTACT_TRANSITIONS, Affiliation, ConsentAction, ConsentEvent, ConsentSource, Contact, ContactStatus, LegalBasis,
    MailingList, Subscription,
)
from .places import Place, PlaceDirectory, as_sentence, check_place


#: The lists every installation starts with: (key, name, description).
DEFAULT_LISTS = (
    ("nyhetsbrev", "Hemtjänstindex nyhetsbrev",
     "Nyhetsbrevet om Hemtjänstindex: nya rapporter, hur kommuner arbetar med sina resultat och vad som händer."),
    ("kurser", "Kurser och webbinarier",
     "Inbjudningar till grundkurser och webbinarier om Hemtjänstindex."),
    ("lokala-resultat", "Lokala resultat",
     "Din kommuns resultat när Hemtjänstindex publiceras, med frågor att ställa till kommunen."),
)


class SubscriberError(ValueError):
    """A Swedish message about input that cannot be accepted."""


def checked_address(text: str) -> str:
    """Return the address as stored (hti_comms.addresses), or raise SubscriberError with its Swedish message."""
    try:
        return normalise_address(text)
    except InvalidAddress as exc:
        raise SubscriberError(str(exc)) from None


def ensure_default_lists() -> int:
    """Create the starting lists that are missing (idempotent) and return how many were added."""
    existing = set(db.session.scalars(select(MailingList.key)))
    added = 0
    for position, (key, name, description) in enumerate(DEFAULT_LISTS):
        if key not in existing:
            db.session.add(MailingList(key=key, name=name, description=description, position=position))
            added += 1
    db.session.commit()
    return added


def create_default_lists() -> str | None:
    """Create the starting lists on `hti init-db`; return a line saying so, or None when they exist."""
    if ensure_default_lists():
        return "Utskickslistorna är skapade: " + ", ".join(key for key, _name, _text in DEFAULT_LISTS) + "."
    return None


def all_lists() -> list[MailingList]:
    return list(db.session.scalars(select(MailingList).order_by(MailingList.position, MailingList.name)))


def lists_for_keys(keys) -> list[MailingList]:
    """Return the lists with these keys, or raise SubscriberError naming an unknown one."""
    keys = list(dict.fromkeys(keys))
    found = {m.key: m for m in db.session.scalars(select(MailingList).where(MailingList.key.in_(keys)))}
    unknown = [k for k in keys if k not in found]
    if unknown:
        raise SubscriberError(f"Listan ”{unknown[0]}” finns inte.")
    return [found[k] for k in keys]


def find_contact(email: str) -> Contact | None:
    """Return the contact with this address however it is written (Unicode or ASCII domain), or None."""
    try:
        address = normalise_address(email)
    except InvalidAddress:
        return None
    return db.session.scalar(select(Contact).where(Contact.email == address))


def build_affiliation(place: Place, directory: PlaceDirectory | None = None) -> Affiliation:
    """Return an unsaved Affiliation for the place, or raise SubscriberError saying what is missing."""
    values, problems = check_place(place, directory or PlaceDirectory())
    if problems:
        raise SubscriberError(as_sentence(problems[0]))
    return Affiliation(role=values.role, council_name=values.council_name,
                       municipality_code=values.municipality_code, district_id=values.district_id,
                       association_name=values.association_name)


def same_affiliation(a: Affiliation, b: Affiliation) -> bool:
    return (a.role, a.municipality_code, a.district_id, (a.association_name or "").casefold()) == \
        (b.role, b.municipality_code, b.district_id, (b.association_name or "").casefold())


def add_affiliation(contact: Contact, affiliation: Affiliation) -> bool:
    """Give the contact this role unless they already have it; return whether it was added."""
    for existing in contact.affiliations:
        if same_affiliation(existing, affiliation):
            if affiliation.council_name is not None:
                existing.council_name = affiliation.council_name
            return False
    contact.affiliations.append(affiliation)
    return True


def set_lists(contact: Contact, lists: list[MailingList]) -> None:
    """Make the contact's subscriptions exactly these lists."""
    wanted = {m.id for m in lists}
    for subscription in list(contact.subscriptions):
        if subscription.list_id not in wanted:
            contact.subscriptions.remove(subscription)
            withdraw_list_mail(contact.email, subscription.mailing_list.key)
    have = {s.list_id for s in contact.subscriptions}
    for mailing_list in lists:
        if mailing_list.id not in have:
            contact.subscriptions.append(Subscription(mailing_list=mailing_list, created_at=now()))


def record(contact: Contact, action: ConsentAction, source: ConsentSource, *, ip_address: str | None = None,
           text_version: str | None = None, legal_basis: LegalBasis | None = None, actor: str = "") -> ConsentEvent:
    """Add a consent history entry listing the lists the contact is on afterwards."""
    db.session.flush()
    keys = sorted(db.session.scalars(select(MailingList.key).join(Subscription).where(
        Subscription.contact_id == contact.id))) if contact.id else []
    event = ConsentEvent(action=action, source=source, ip_address=ip_address, text_version=text_version,
                         legal_basis=legal_basis, actor=actor[:255], list_keys=keys, created_at=now())
    contact.consent_events.append(event)
    return event


def change_status(contact: Contact, status: ContactStatus) -> None:
    """Move the contact to `status` through the transition table, noting when; refused changes raise."""
    if contact.status is status:
        return
    try:
        transition(contact, status, CONTACT_TRANSITIONS)
    except TransitionError:
        raise SubscriberError(f"En kontakt som är {contact.status.label.lower()} kan inte bli "
                              f"{status.label.lower()}.") from None
    contact.status_changed_at = now()
    if status is ContactStatus.CONFIRMED:
        contact.confirmed_at = now()
    if status is ContactStatus.UNSUBSCRIBED:
        contact.unsubscribed_at = now()


def new_contact(email: str, name: str, status: ContactStatus, phone: str = "") -> Contact:
    moment = now()
    # The link key is drawn now (not at the INSERT) because links may be made before the session flushes.
    contact = Contact(email=email, link_key=new_subject_key(), name=" ".join(name.split()), phone=phone.strip(),
                      status=status, language="sv",
                      created_at=moment, status_changed_at=moment,
                      confirmed_at=moment if status is ContactStatus.CONFIRMED else None)
    db.session.add(contact)
    return contact


# --- Unsubscribe and preferences ---------------------------------------------------------------------------------

def unsubscribe(email: str, list_key: str | None, *, ip_address: str | None = None,
                source: ConsentSource = ConsentSource.UNSUBSCRIBE_LINK) -> Contact | None:
    """Stop mail to the address at once: from one list, or (list_key None) from everything."""
    contact = find_contact(email)
    if contact is None:
        return None
    if list_key is None:
        leave_everything(contact, source=source, ip_address=ip_address)
        return contact
    before = len(contact.subscriptions)
    contact.subscriptions[:] = [s for s in contact.subscriptions if s.mailing_list.key != list_key]
    withdraw_list_mail(contact.email, list_key)
    if len(contact.subscriptions) != before:
        record(contact, ConsentAction.LISTS_CHANGED, source, ip_address=ip_address)
    db.session.commit()
    return contact


def leave_everything(contact: Contact, *, source: ConsentSource, ip_address: str | None = None,
                     actor: str = "") -> None:
    """Remove every subscription, withdraw list mail still queued, and mark the contact unsubscribed."""
    contact.subscriptions.clear()
    withdraw_list_mail(contact.email, None)
    if contact.status is not ContactStatus.UNSUBSCRIBED:
        change_status(contact, ContactStatus.UNSUBSCRIBED)
        record(contact, ConsentAction.UNSUBSCRIBED, source, ip_address=ip_address, actor=actor)
    db.session.commit()


def leave_everything_after_complaints(complaints: Sequence[tuple[str, datetime, str]]) -> None:
    """Take each (address, reported at, actor) off every list after a complaint, in the caller's transaction:
    unsubscribed, with a consent history entry dated when the report says it happened. The contacts are found
    in one query, so a batch of complaints costs a few statements rather than a few per complaint. List mail
    still queued is the caller's to withdraw (it knows the addresses as the outbox has them)."""
    addresses: dict[str, str] = {}
    for email, _moment, _actor in complaints:
        try:
            addresses[email] = normalise_address(email)
        except InvalidAddress:
            continue
    wanted = sorted(set(addresses.values()))
    contacts: dict[str, Contact] = {}
    for start in range(0, len(wanted), 900):
        contacts.update((contact.email, contact) for contact in db.session.scalars(
            select(Contact).where(Contact.email.in_(wanted[start:start + 900]))
            .options(selectinload(Contact.subscriptions))))
    for email, moment, actor in complaints:
        contact = contacts.get(addresses.get(email, ""))
        if contact is None:
            continue
        contact.subscriptions.clear()
        if contact.status is not ContactStatus.UNSUBSCRIBED:
            change_status(contact, ContactStatus.UNSUBSCRIBED)
        # The contact is on no list afterwards; added by id so the contact's history is not loaded for it.
        db.session.add(ConsentEvent(contact_id=contact.id, action=ConsentAction.UNSUBSCRIBED,
                                    source=ConsentSource.FEEDBACK_REPORT, actor=actor[:255], list_keys=[],
                                    created_at=moment))


@dataclass
class PreferenceChange:
    name: str
    list_keys: list[str]
    remove_affiliation_ids: list[int] = field(default_factory=list)
    new_place: Place | None = None
    ip_address: str | None = None


def update_preferences(contact: Contact, change: PreferenceChange) -> None:
    """Save what a person chose in the preference centre (the signed link proves the address is theirs)."""
    lists = lists_for_keys(change.list_keys)
    new_affiliation = build_affiliation(change.new_place) if change.new_place else None
    contact.name = " ".join(change.name.split())[:120] or contact.name
    contact.affiliations[:] = [a for a in contact.affiliations if a.id not in set(change.remove_affiliation_ids)]
    if new_affiliation is not None:
        add_affiliation(contact, new_affiliation)
    before = contact.list_keys
    set_lists(contact, lists)
    if lists and contact.status is not ContactStatus.CONFIRMED:
        change_status(contact, ContactStatus.CONFIRMED)
        record(contact, ConsentAction.CONFIRMED, ConsentSource.PREFERENCES, ip_address=change.ip_address,
               text_version=consent.CURRENT_VERSION)
    elif before != {m.key for m in lists}:
        record(contact, ConsentAction.LISTS_CHANGED, ConsentSource.PREFERENCES, ip_address=change.ip_address,
               text_version=consent.CURRENT_VERSION)
    db.session.commit()


def count_by_status() -> dict[ContactStatus, int]:
    """Return how many contacts there are in each status."""
    rows = db.session.execute(select(Contact.status, func.count()).group_by(Contact.status)).all()
    counts = {status: 0 for status in ContactStatus}
    counts.update({status: count for status, count in rows})
    return counts
