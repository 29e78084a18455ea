"""The subscribers domain's share of a person's data: the contact, roles, lists, consent history, staged imports."""
from __future__ import annotations

from sqlalchemy import select

from ..addresses import display_address
from ..extensions import db
from ..personal_data import Person, timestamp
from ..tabular import TableError, read_table
from .imports.run import cancel_import
from .models import Contact
from .imports.models import ContactImport, ContactImportLine


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


def _file_mentions(contact_import: ContactImport, email: str) -> bool:
    """Return whether a staged file that could not be planned (so has no stored lines) holds the address."""
    wanted = {email, display_address(email).casefold()}
    try:
        table = read_table(contact_import.data or b"", contact_import.filename)
    except TableError:
        # Not readable as a table (so never importable): look in the bytes as they are.
        raw = (contact_import.data or b"").lower()
        return any(w.encode("utf-8") in raw for w in wanted)
    cells = (value.casefold() for row in table.rows for value in row.values.values())
    return any(any(w in cell for w in wanted) for cell in cells)


def _imports_holding(person: Person) -> list[int]:
    """Return the ids of staged imports (file kept, not decided) that hold the address, whatever the file's format.

    A planned file is searched in its stored preview lines (addresses as stored, found by one query); a file
    that could not be planned is read again (CSV or XLSX alike).
    """
    found = set(db.session.scalars(select(ContactImportLine.import_id)
                                   .where(ContactImportLine.email == person.email).distinct()))
    for contact_import in db.session.scalars(select(ContactImport).where(ContactImport.data.is_not(None))):
        unplanned = contact_import.report.get("problems") or not contact_import.report
        if contact_import.id not in found and unplanned and _file_mentions(contact_import, person.email):
            found.add(contact_import.id)
    return sorted(found)


def export_pending_imports(person: Person) -> list[dict]:
    """Return the files staff have staged (not yet decided) that hold the address."""
    staged = db.session.scalars(select(ContactImport).where(ContactImport.id.in_(_imports_holding(person)))
                                .order_by(ContactImport.id))
    return [{
        "fil": contact_import.filename,
        "uppladdad": timestamp(contact_import.created_at),
        "status": contact_import.status.label,
    } for contact_import in staged]


def erase_pending_imports(person: Person) -> int:
    """Cancel every staged import that holds the address; its file and preview go."""
    cancelled = 0
    for import_id in _imports_holding(person):
        if cancel_import(import_id, commit=False):
            cancelled += 1
    return cancelled
