"""What the GDPR asks of us: export everything about a person, erase a person, and keep nothing too long."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..clock import now
from ..extensions import db
from ..personal_data import Person, erase_person, export_person
from .models import Contact, ContactStatus, Erasure


def person_of(contact: Contact) -> Person:
    """Return whom an export or erasure of this contact is about."""
    return Person(email=contact.email or "", contact_id=contact.id, name=contact.name)


def export_contact(contact: Contact) -> dict:
    """Return everything stored about the person in every domain, as JSON-ready data with Swedish headings."""
    return export_person(person_of(contact))


def erase_contact(contact: Contact, *, erased_by: str = "") -> Erasure:
    """Remove the person from every domain; an anonymous note of the erasure stays."""
    removed = erase_person(person_of(contact))
    erasure = Erasure(erased_at=now(), erased_by=erased_by[:255], removed=removed)
    db.session.add(erasure)
    db.session.commit()
    return erasure


def retention_days() -> int:
    return current_app.config["SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS"]


def delete_stale_signups() -> int:
    """Delete never-confirmed sign-ups older than the retention period; return how many went."""
    cutoff = now() - timedelta(days=retention_days())
    stale = select(Contact.id).where(Contact.status == ContactStatus.PENDING, Contact.confirmed_at.is_(None),
                                     Contact.status_changed_at < cutoff)
    ids = list(db.session.scalars(stale))
    # Through every domain's eraser, so that nothing about a never-confirmed person stays anywhere.
    for contact in db.session.scalars(select(Contact).where(Contact.id.in_(ids))):
        erase_person(person_of(contact))
    db.session.commit()
    return len(ids)
