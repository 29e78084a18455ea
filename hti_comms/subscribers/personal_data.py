"""The subscribers domain's share of a person's data: the contact, roles, lists, consent history, staged imports."""
from __future__ import annotations

from sqlalchemy import select

from ..clock import now
from ..extensions import db
from ..personal_data import Person, timestamp
from .models import Contact, ContactImport, ImportStatus


def _contact(person: Person) -> Contact | None:
    if person.contact_id is not None:
        return db.session.get(Contact, person.contact_id)
    return db.session.scalar(select(Contact).where(Contact.email == person.email))


def export_contact_details(person: Person) -> dict | None:
    contact = _contact(person)
    if contact is None:
        return None
    return {
        "namn": contact.name,
        "e-post": contact.email,
        "telefon": contact.phone,
        "språk": contact.language,
        "status": contact.status.label,
        "skapad": timestamp(contact.created_at),
        "bekräftad": timestamp(contact.confirmed_at),
        "avregistrerad": timestamp(contact.unsubscribed_at),
    }


def export_affiliations(person: Person) -> list[dict]:
    contact = _contact(person)
    return [] if contact is None else [{
        "roll": a.role.label,
        "råd": a.council_name.label if a.council_name else None,
        "kommun": a.municipality.short_name if a.municipality else None,
        "kommunkod": a.municipality_code,
        "distrikt": a.district.name if a.district else None,
        "förening": a.association_name or None,
    } for a in contact.affiliations]


def export_lists(person: Person) -> list[str]:
    contact = _contact(person)
    return [] if contact is None else sorted(s.mailing_list.name for s in contact.subscriptions)


def export_consent_history(person: Person) -> list[dict]:
    contact = _contact(person)
    return [] if contact is None else [{
        "tid": timestamp(e.created_at),
        "händelse": e.action.label,
        "källa": e.source.label,
        "samtyckestextens version": e.text_version,
        "rättslig grund": e.legal_basis.label if e.legal_basis else None,
        "listor efteråt": e.list_keys,
        "ip-adress": e.ip_address,
    } for e in reversed(contact.consent_events)]


def erase_affiliations(person: Person) -> int:
    contact = _contact(person)
    return _delete_all(contact.affiliations) if contact else 0


def erase_lists(person: Person) -> int:
    contact = _contact(person)
    return _delete_all(contact.subscriptions) if contact else 0


def erase_consent_history(person: Person) -> int:
    contact = _contact(person)
    return _delete_all(contact.consent_events) if contact else 0


def erase_contact_details(person: Person) -> int:
    contact = _contact(person)
    if contact is None:
        return 0
    db.session.delete(contact)
    db.session.flush()
    return 1


def _delete_all(rows: list) -> int:
    count = len(rows)
    for row in list(rows):
        db.session.delete(row)
    rows.clear()
    return count


def _pending_imports_mentioning(email: str) -> list[ContactImport]:
    pending = db.session.scalars(select(ContactImport).where(ContactImport.data.is_not(None)))
    needle = email.encode("utf-8")
    return [i for i in pending if needle in (i.data or b"").lower()]


def erase_pending_imports(person: Person) -> int:
    """Discard staged imports whose file still holds the address (the file is dropped, the record stays)."""
    found = _pending_imports_mentioning(person.email)
    for contact_import in found:
        contact_import.data = None
        contact_import.status = ImportStatus.DISCARDED
        contact_import.decided_at = now()
    return len(found)
