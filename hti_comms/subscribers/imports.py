"""Store a checked contact file in one transaction, with bulk statements (no per-contact round trips)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from ..clock import now
from ..extensions import db
from ..tokens import new_subject_key
from . import notify
from .audiences import Member
from .bulk import cyclic_gc_paused, insert_rows
from .importer import ImportPlan, LineAction, plan_import
from .models import (
    Affiliation, ConsentAction, ConsentEvent, ConsentSource, Contact, ContactImport, ContactStatus, ImportStatus,
    LegalBasis, Subscription, can_change_import,
)

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
        raise ImportRefused(f"Inget importerades: {invalid} rader har fel. Rätta filen, eller välj att hoppa över "
                            "raderna med fel.")
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
        {"email": c.email, "link_key": new_subject_key(), "name": c.name, "phone": c.phone, "language": "sv",
         "status": new_status,
         "created_at": moment, "status_changed_at": moment, "confirmed_at": moment if confirmed else None}
        for c in new])
    # Every new row carries this import's timestamp: one query finds their ids (no 100,000-value IN list).
    new_emails = {c.email for c in new}
    ids.update({email: id_ for id_, email in db.session.execute(
        select(contact_table.c.id, contact_table.c.email).where(contact_table.c.created_at == moment))
        if email in new_emails})
    for c in old:
        ids[c.email] = c.existing.id

    renamed = [{"b_id": c.existing.id, "b_name": c.name} for c in old if c.name and c.name != c.existing.name]
    for chunk in _chunks(renamed):
        db.session.execute(update(contact_table).where(contact_table.c.id == bindparam("b_id"))
                           .values(name=bindparam("b_name")), chunk)
    newly_confirmed = [{"b_id": c.existing.id} for c in old
                       if confirmed and c.existing.status is ContactStatus.PENDING]
    for chunk in _chunks(newly_confirmed):
        db.session.execute(update(contact_table).where(contact_table.c.id == bindparam("b_id"))
                           .values(status=ContactStatus.CONFIRMED, status_changed_at=moment,
                                   confirmed_at=moment), chunk)

    affiliations = [{"contact_id": ids[c.email], "role": a.role, "council_name": a.council_name,
                     "municipality_code": a.municipality_code, "district_id": a.district_id,
                     "association_name": a.association_name}
                    for c in plan.to_write for a in c.new_affiliations()]
    subscriptions = [{"contact_id": ids[c.email], "list_id": list_id, "created_at": moment}
                     for c in plan.to_write for list_id in sorted(c.new_list_ids())]
    events = [{"contact_id": ids[c.email], "action": ConsentAction.IMPORTED, "source": ConsentSource.IMPORT,
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
        result.to_confirm = [Member(ids[c.email], c.email, c.name) for c in plan.to_write
                             if c.existing is None or c.existing.status is ContactStatus.PENDING]
        notify.confirmations_for(result.to_confirm)
    return result


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


def stage_import(data: bytes, filename: str, basis: LegalBasis, default_list_keys: list[str], *,
                 actor: str) -> tuple[ContactImport, ImportPlan]:
    """Keep an uploaded file until staff have seen the preview and decided."""
    plan = plan_import(data, filename, basis, default_list_keys)
    staged = ContactImport(filename=filename[:255], data=data, legal_basis=basis,
                           default_list_keys=default_list_keys, status=ImportStatus.PREVIEWED,
                           created_by=actor[:255], created_at=now(), summary={})
    db.session.add(staged)
    db.session.commit()
    return staged, plan


def replan(staged: ContactImport) -> ImportPlan:
    """Check a staged file again against the database as it is now."""
    return plan_import(staged.data or b"", staged.filename, staged.legal_basis, staged.default_list_keys)


def _move(staged: ContactImport, status: ImportStatus) -> None:
    if not can_change_import(staged.status, status):
        raise ImportRefused("Den här importen är redan avgjord. Ladda upp filen igen.")
    staged.status = status


def request_commit(staged: ContactImport, *, actor: str, skip_invalid: bool) -> None:
    """Ask for a previewed file to be imported; the scheduler's sweep does it (large files take seconds)."""
    if staged.data is None:
        raise ImportRefused("Den här importen är redan avgjord. Ladda upp filen igen.")
    _move(staged, ImportStatus.QUEUED)
    staged.skip_invalid = skip_invalid
    staged.created_by = actor[:255]
    staged.error = ""
    db.session.commit()


def commit_staged(staged: ContactImport) -> ImportResult | None:
    """Store a queued file — all or nothing — and drop the file itself; a refusal goes back to the preview."""
    plan = replan(staged)
    try:
        result = apply_plan(plan, actor=f"{staged.filename} ({staged.created_by})", skip_invalid=staged.skip_invalid)
    except ImportRefused as exc:
        db.session.rollback()
        _move(staged, ImportStatus.PREVIEWED)
        staged.error = str(exc)[:500]
        db.session.commit()
        return None
    except Exception:
        db.session.rollback()
        raise
    _move(staged, ImportStatus.COMMITTED)
    staged.data = None
    staged.decided_at = now()
    staged.summary = result.summary()
    db.session.commit()
    return result


def run_queued_imports() -> int:
    """Import every file staff have asked for; return how many were imported."""
    done = 0
    for import_id in db.session.scalars(select(ContactImport.id).where(ContactImport.status == ImportStatus.QUEUED)
                                        .order_by(ContactImport.id)).all():
        staged = db.session.get(ContactImport, import_id)
        if staged is not None and staged.status is ImportStatus.QUEUED and commit_staged(staged) is not None:
            done += 1
    return done


def discard_staged(staged: ContactImport) -> None:
    """Forget a previewed file without importing anything."""
    if can_change_import(staged.status, ImportStatus.DISCARDED):
        staged.status = ImportStatus.DISCARDED
        staged.data = None
        staged.decided_at = now()
        db.session.commit()
