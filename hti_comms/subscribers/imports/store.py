"""Store a planned contact file in one transaction, with bulk statements (no per-contact round trips)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from ...clock import now
from ...extensions import db
from ...formatting import counted
from ...status import can_transition
from ...tokens import new_subject_key
from .. import notify
from ..audiences import Member
from ..bulk import cyclic_gc_paused, insert_rows
from ..models import (
    CONTACT_TRANSITIONS, Affiliation, ConsentAction, ConsentEvent, ConsentSource, Contact, ContactStatus, LegalBasis,
    Subscription,
)
from ..postal import PostalDetails
from .models import ContactImport, ImportStatus, LineAction
from .parse import letter_key
from .plan import ImportPlan, plan_import

BATCH = 5000


class ImportRefused(ValueError):
    """A Swedish message about why nothing was imported."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    merged: int = 0
    #: Contacts who must confirm their address (legal basis "needs opt-in"): they get a confirmation email.
    to_confirm: list[Member] = field(default_factory=list)

    def summary(self) -> dict:
        return {"created": self.created, "updated": self.updated, "skipped": self.skipped,
                "invalid": self.invalid, "merged": self.merged}


def describe_outcome(summary: dict) -> str:
    """Return what an import did, in sentences for staff: '1 ny kontakt, 2 uppdaterade. 3 rader hoppades över …'.

    `summary` is `ImportResult.summary()` (also as stored with a queued import).
    """
    skipped, invalid = summary.get("skipped", 0), summary.get("invalid", 0)
    text = (f"{counted(summary.get('created', 0), 'ny kontakt', 'nya kontakter')}, "
            f"{counted(summary.get('updated', 0), 'uppdaterad', 'uppdaterade')}.")
    if skipped:
        text += (f" {counted(skipped, 'rad', 'rader')} hoppades över (samma uppgifter som förut, eller en person som "
                 "själv har avregistrerat sig).")
    if invalid:
        text += f" {counted(invalid, 'rad med fel', 'rader med fel')} importerades inte."
    return text


def refused_for_errors(invalid: int, remedy: str) -> str:
    """Return why nothing was imported when lines have errors; `remedy` says how to skip them."""
    return (f"Inget importerades: {counted(invalid, 'rad', 'rader')} har fel. Rätta filen, eller {remedy} "
            f"{'raden' if invalid == 1 else 'raderna'} med fel.")


def _chunks(rows: list, size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def apply_plan(plan: ImportPlan, *, actor: str, skip_invalid: bool = False) -> ImportResult:
    """Write the plan inside the caller's transaction; refuse if any line is invalid unless told to skip them."""
    with cyclic_gc_paused():
        return _apply(plan, actor=actor, skip_invalid=skip_invalid)


def _apply(plan: ImportPlan, *, actor: str, skip_invalid: bool) -> ImportResult:
    if plan.problems:
        raise ImportRefused(plan.problems[0])
    invalid = plan.count(LineAction.INVALID)
    if invalid and not skip_invalid:
        raise ImportRefused(refused_for_errors(invalid, "välj att hoppa över"))
    if not plan.to_write:
        raise ImportRefused("Inget att importera: alla rader hoppas över.")
    moment = now()
    confirmed = plan.basis is LegalBasis.CONSENT_GIVEN
    new = [c for c in plan.to_write if c.existing is None]
    old = [c for c in plan.to_write if c.existing is not None]

    ids: dict[str, int] = {}
    contact_table = Contact.__table__
    new_status = ContactStatus.CONFIRMED if confirmed else ContactStatus.PENDING
    insert_rows(contact_table, [
        {"email": c.email or None, "link_key": new_subject_key(), "name": c.name, "phone": c.phone, "language": "sv",
         "status": new_status,
         "created_at": moment, "status_changed_at": moment, "confirmed_at": moment if confirmed else None,
         **_postal_values(c.postal or PostalDetails())}
        for c in new])
    # Every new row carries this import's timestamp: one query finds their ids (no 100,000-value IN list).
    new_keys = {c.key for c in new}
    for id_, email, name, postcode, street in db.session.execute(
            select(contact_table.c.id, contact_table.c.email, contact_table.c.name, contact_table.c.postcode,
                   contact_table.c.street_address).where(contact_table.c.created_at == moment)):
        key = email or letter_key(name, PostalDetails(postcode=postcode, street_address=street))
        if key in new_keys:
            ids[key] = id_
    for c in old:
        ids[c.key] = c.existing.id

    renamed = [{"b_id": c.existing.id, "b_name": c.name} for c in old if c.name and c.name != c.existing.name]
    for chunk in _chunks(renamed):
        db.session.execute(update(contact_table).where(contact_table.c.id == bindparam("b_id"))
                           .values(name=bindparam("b_name")), chunk)
    readdressed = [{"b_id": c.existing.id, **{f"b_{k}": v for k, v in _postal_values(c.postal).items()}}
                   for c in old if c.postal is not None]
    for chunk in _chunks(readdressed):
        db.session.execute(update(contact_table).where(contact_table.c.id == bindparam("b_id"))
                           .values({k: bindparam(f"b_{k}") for k in _postal_values(PostalDetails())}), chunk)
    # One UPDATE for thousands of rows rather than transition() on each object; the table still decides
    # (pending people become confirmed; those who left were skipped by the plan, confirmed ones stay).
    newly_confirmed = [{"b_id": c.existing.id} for c in old
                       if confirmed and can_transition(CONTACT_TRANSITIONS, c.existing.status, ContactStatus.CONFIRMED)]
    for chunk in _chunks(newly_confirmed):
        db.session.execute(update(contact_table).where(contact_table.c.id == bindparam("b_id"))
                           .values(status=ContactStatus.CONFIRMED, status_changed_at=moment,
                                   confirmed_at=moment), chunk)

    affiliations = [{"contact_id": ids[c.key], "role": a.role, "council_name": a.council_name,
                     "municipality_code": a.municipality_code, "district_id": a.district_id,
                     "association_name": a.association_name}
                    for c in plan.to_write for a in c.new_affiliations()]
    subscriptions = [{"contact_id": ids[c.key], "list_id": list_id, "created_at": moment}
                     for c in plan.to_write for list_id in sorted(c.new_list_ids())]
    events = [{"contact_id": ids[c.key], "action": ConsentAction.IMPORTED, "source": ConsentSource.IMPORT,
               "text_version": None, "legal_basis": plan.basis, "ip_address": None, "actor": actor[:255],
               "created_at": moment,
               "list_keys": sorted(plan.lists_by_id[i].key
                                   for i in c.list_ids | (c.existing.list_ids if c.existing else set()))}
              for c in plan.to_write]
    for model, rows in ((Affiliation, affiliations), (Subscription, subscriptions), (ConsentEvent, events)):
        insert_rows(model.__table__, rows)

    result = ImportResult(created=len(new), updated=len(old), skipped=plan.count(LineAction.SKIP),
                          invalid=invalid, merged=plan.count(LineAction.MERGE))
    if not confirmed:
        result.to_confirm = [Member(ids[c.key], c.email, c.name) for c in plan.to_write if c.email
                             if c.existing is None or c.existing.status is ContactStatus.PENDING]
        notify.confirmations_for(result.to_confirm)
    return result


def _postal_values(postal: PostalDetails) -> dict:
    return {"channel": postal.channel, "street_address": postal.street_address, "postcode": postal.postcode,
            "town": postal.town}


def import_contacts(data: bytes, filename: str, basis: LegalBasis, default_list_keys: list[str], *,
                    actor: str, skip_invalid: bool = False) -> tuple[ImportPlan, ImportResult]:
    """Check and store a contact file in one go (command line, benchmark) — all or nothing."""
    plan = plan_import(data, filename, basis, default_list_keys)
    return plan, store_plan(plan, filename, default_list_keys, actor=actor, skip_invalid=skip_invalid)


def store_plan(plan: ImportPlan, filename: str, default_list_keys: list[str], *, actor: str,
               skip_invalid: bool = False) -> ImportResult:
    """Store a checked file and a record of the import, in one transaction."""
    try:
        result = apply_plan(plan, actor=actor or filename, skip_invalid=skip_invalid)
        db.session.add(ContactImport(filename=filename[:255], data=None, legal_basis=plan.basis,
                                     default_list_keys=default_list_keys, status=ImportStatus.COMMITTED,
                                     created_by=actor[:255], created_at=now(), decided_at=now(),
                                     summary=result.summary()))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
