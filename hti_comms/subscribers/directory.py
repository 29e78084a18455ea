"""Staff operations on contacts: search, add, edit."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from ..addresses import search_form
from ..extensions import db
from . import notify
from .audiences import Criteria, Member, contact_condition
from .models import Channel, ConsentAction, ConsentSource, Contact, ContactStatus, LegalBasis
from .places import Place
from .postal import PostalDetails, apply_postal
from .services import (
    SubscriberError, add_affiliation, build_affiliation, checked_address, find_contact, leave_everything,
    lists_for_keys, new_contact, record, set_lists,
)

PAGE_SIZE = 50


@dataclass
class SearchPage:
    contacts: list[Contact]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def search_contacts(criteria: Criteria, text: str = "", status: str = "", page: int = 1) -> SearchPage:
    """Return one page of contacts matching the filters, newest first."""
    query = select(Contact).where(contact_condition(criteria))
    text = text.strip()
    if text:
        pattern = f"%{text.lower()}%"
        address_pattern = f"%{search_form(text)}%"  # addresses are stored with the domain in ASCII
        query = query.where(or_(func.lower(Contact.name).like(pattern), Contact.email.like(address_pattern)))
    if status in {s.value for s in ContactStatus}:
        query = query.where(Contact.status == ContactStatus(status))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(1, page), max(1, -(-total // PAGE_SIZE)))
    contacts = db.session.scalars(query.order_by(Contact.created_at.desc(), Contact.id.desc())
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return SearchPage(list(contacts), total, page)


@dataclass
class ContactDetails:
    email: str
    name: str
    phone: str
    list_keys: list[str]
    #: The channel and postal address as `postal.checked_postal` returned them; None leaves them as they are.
    postal: PostalDetails | None = None

    def address(self) -> str | None:
        """Return the email address as stored; None for someone who gets letters only and gave none."""
        if not (self.email or "").strip() and self.postal is not None and self.postal.channel is Channel.LETTER:
            return None
        return checked_address(self.email or "")


def add_contact(details: ContactDetails, basis: LegalBasis, place: Place | None, *, actor: str) -> Contact:
    """Add a contact by hand; with consent given elsewhere they are confirmed at once, else they must confirm."""
    email = details.address()
    if email is not None and find_contact(email) is not None:
        raise SubscriberError(f"Det finns redan en kontakt med adressen {email}.")
    if email is None and basis is not LegalBasis.CONSENT_GIVEN:
        raise SubscriberError("Den som inte har någon e-postadress kan inte bekräfta själv: välj att samtycke redan "
                              "är lämnat, till exempel på en blankett.")
    lists = lists_for_keys(details.list_keys)
    affiliation = build_affiliation(place) if place else None
    status = ContactStatus.CONFIRMED if basis is LegalBasis.CONSENT_GIVEN else ContactStatus.PENDING
    contact = new_contact(email, details.name, status, details.phone)
    if details.postal is not None:
        apply_postal(contact, details.postal)
    if affiliation is not None:
        add_affiliation(contact, affiliation)
    set_lists(contact, lists)
    record(contact, ConsentAction.ADDED_BY_STAFF, ConsentSource.STAFF, legal_basis=basis, actor=actor)
    if status is ContactStatus.PENDING:
        notify.confirmations_for([Member(contact.id, contact.email, contact.name)])
    db.session.commit()
    return contact


def update_contact(contact: Contact, details: ContactDetails, *, actor: str) -> None:
    """Change a contact's details and lists; list changes go into the consent history."""
    email = details.address()
    other = find_contact(email) if email is not None else None
    if other is not None and other is not contact:
        raise SubscriberError(f"Det finns redan en annan kontakt med adressen {email}.")
    lists = lists_for_keys(details.list_keys)
    if lists and contact.status is ContactStatus.UNSUBSCRIBED:
        raise SubscriberError("Kontakten har avregistrerat sig. Bara personen själv kan börja prenumerera igen, "
                              "via anmälan eller länken i ett tidigare e-brev.")
    contact.email = email
    contact.name = " ".join(details.name.split())
    contact.phone = details.phone.strip()
    if details.postal is not None:
        apply_postal(contact, details.postal)
    before = contact.list_keys
    set_lists(contact, lists)
    if before != {m.key for m in lists}:
        record(contact, ConsentAction.LISTS_CHANGED, ConsentSource.STAFF, actor=actor)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SubscriberError(f"Det finns redan en annan kontakt med adressen {email}.") from None


def add_contact_affiliation(contact: Contact, place: Place) -> bool:
    added = add_affiliation(contact, build_affiliation(place))
    db.session.commit()
    return added


def remove_contact_affiliation(contact: Contact, affiliation_id: int) -> None:
    contact.affiliations[:] = [a for a in contact.affiliations if a.id != affiliation_id]
    db.session.commit()


def unsubscribe_by_staff(contact: Contact, *, actor: str) -> None:
    """Stop all mail to the contact on their request (e.g. they phoned)."""
    leave_everything(contact, source=ConsentSource.STAFF, actor=actor)
