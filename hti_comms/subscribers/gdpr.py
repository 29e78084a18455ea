"""What the GDPR asks of us: export everything about a person, erase a person, and keep nothing too long."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..clock import now
from ..delivery.services import forget_address, messages_for
from ..extensions import db
from .models import Contact, ContactImport, ContactStatus, Erasure, ImportStatus


def _time(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def export_contact(contact: Contact) -> dict:
    """Return everything stored about the person, as JSON-ready data with Swedish keys explained in 'om'."""
    return {
        "om": "Detta är alla uppgifter som SPF Seniorerna har sparat om dig för Hemtjänstindex utskick.",
        "exporterad": _time(now()),
        "kontakt": {
            "namn": contact.name,
            "e-post": contact.email,
            "telefon": contact.phone,
            "språk": contact.language,
            "status": contact.status.label,
            "skapad": _time(contact.created_at),
            "bekräftad": _time(contact.confirmed_at),
            "avregistrerad": _time(contact.unsubscribed_at),
        },
        "uppdrag": [{
            "roll": a.role.label,
            "råd": a.council_name.label if a.council_name else None,
            "kommun": a.municipality.short_name if a.municipality else None,
            "kommunkod": a.municipality_code,
            "distrikt": a.district.name if a.district else None,
            "förening": a.association_name or None,
        } for a in contact.affiliations],
        "listor": sorted(s.mailing_list.name for s in contact.subscriptions),
        "samtyckeshistorik": [{
            "tid": _time(e.created_at),
            "händelse": e.action.label,
            "källa": e.source.label,
            "samtyckestextens version": e.text_version,
            "rättslig grund": e.legal_basis.label if e.legal_basis else None,
            "listor efteråt": e.list_keys,
            "ip-adress": e.ip_address,
        } for e in reversed(contact.consent_events)],
        "skickat till dig": [{
            "ämne": m.subject,
            "slag": m.kind,
            "status": m.status.value,
            "köad": _time(m.created_at),
            "skickad": _time(m.sent_at),
        } for m in messages_for(contact.email)],
    }


def _pending_imports_mentioning(email: str) -> list[ContactImport]:
    pending = db.session.scalars(select(ContactImport).where(ContactImport.data.is_not(None)))
    needle = email.encode("utf-8")
    return [i for i in pending if needle in (i.data or b"").lower()]


def erase_contact(contact: Contact, *, erased_by: str = "") -> Erasure:
    """Remove the person from every subscriber table; an anonymous note of the erasure stays."""
    email = contact.email
    removed = {
        "consent_events": len(contact.consent_events),
        "affiliations": len(contact.affiliations),
        "subscriptions": len(contact.subscriptions),
    }
    db.session.delete(contact)
    removed["delivery_rows"] = forget_address(email)
    # An import waiting for a decision still holds the file the address came from.
    for contact_import in _pending_imports_mentioning(email):
        contact_import.data = None
        contact_import.status = ImportStatus.DISCARDED
        contact_import.decided_at = now()
        removed["pending_imports"] = removed.get("pending_imports", 0) + 1
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
    # Through the ORM so that affiliations, subscriptions and history go too (SQLite ignores ON DELETE).
    for contact in db.session.scalars(select(Contact).where(Contact.id.in_(ids))):
        forget_address(contact.email)
        db.session.delete(contact)
    db.session.commit()
    return len(ids)
