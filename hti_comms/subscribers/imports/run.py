"""A staged contact import from upload to decision.

The upload plans the file once and stores the preview (counts and one row per line), so showing it again costs
a query, not a new plan. Staff queue it; the scheduler's sweep stores each queued import in a transaction of its
own, so one that fails is marked failed (with a Swedish reason) and never holds up the ones behind it. Staff can
cancel an import until it is stored; a cancelled one leaves the queue and its file is dropped.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from ...clock import as_utc, now
from ...extensions import db
from ...status import TransitionError, transition
from ..bulk import insert_rows
from ..models import LegalBasis
from .models import IMPORT_TRANSITIONS, ContactImport, ContactImportLine, ImportStatus, LineAction, can_cancel_import
from .plan import ImportPlan, LineReport, plan_import
from .store import ImportRefused, ImportResult, apply_plan, refused_for_errors

log = logging.getLogger(__name__)

#: Lines shown per page of a preview; the counts always cover the whole file.
PREVIEW_PAGE_SIZE = 200
#: The order the preview shows its groups in: what needs attention first.
PREVIEW_ORDER = (LineAction.INVALID, LineAction.SKIP, LineAction.MERGE, LineAction.UPDATE, LineAction.CREATE)
FAILED_REASON = ("Importen stoppades av ett fel i systemet, inte i filen, och ingenting sparades. Försök igen om "
                 "en stund; kommer felet tillbaka, kontakta den som sköter systemet.")
DECIDED = "Den här importen är redan avgjord. Ladda upp filen igen."
#: Marks, among a stored preview line's reasons, what the line was understood to say (no column of its own).
UNDERSTOOD = "Förstått: "


def _report(plan: ImportPlan) -> dict:
    """Return what the preview shows about the whole file (the lines are stored as rows beside it)."""
    return {
        "problems": list(plan.problems),
        "counts": {action.value: plan.count(action) for action in LineAction},
        "new_contacts": sum(1 for c in plan.to_write if c.existing is None),
        "can_commit": plan.can_commit,
        "planned_at": now().isoformat(),
    }


def _store_preview(staged: ContactImport, plan: ImportPlan) -> None:
    """Keep the plan's report and its lines with the staged import, replacing an earlier preview."""
    staged.report = _report(plan)
    db.session.flush()
    db.session.execute(delete(ContactImportLine).where(ContactImportLine.import_id == staged.id))
    insert_rows(ContactImportLine.__table__, [
        {"import_id": staged.id, "line": line.line, "action": line.action, "email": line.email[:320],
         "reasons": line.reasons + ([UNDERSTOOD + line.understood] if line.understood else [])}
        for line in plan.lines])


def _line_report(line: int, email: str, action: LineAction, stored: list[str]) -> LineReport:
    """Return a stored preview line; what the line was understood to say is kept as its last, marked reason."""
    understood = next((text[len(UNDERSTOOD):] for text in stored if text.startswith(UNDERSTOOD)), "")
    return LineReport(line, email, action, [text for text in stored if not text.startswith(UNDERSTOOD)], understood)


def _drop_file(staged: ContactImport) -> None:
    """Forget the file and its preview (they hold personal data) once the import is decided."""
    staged.data = None
    staged.decided_at = now()
    db.session.execute(delete(ContactImportLine).where(ContactImportLine.import_id == staged.id))


def stage_import(data: bytes, filename: str, basis: LegalBasis, default_list_keys: list[str], *,
                 actor: str) -> ContactImport:
    """Plan an uploaded file once and keep it, with its preview, until staff have decided."""
    plan = plan_import(data, filename, basis, default_list_keys)
    staged = ContactImport(filename=filename[:255], data=data, legal_basis=basis,
                           default_list_keys=default_list_keys, status=ImportStatus.PREVIEWED,
                           created_by=actor[:255], created_at=now(), summary={})
    db.session.add(staged)
    _store_preview(staged, plan)
    db.session.commit()
    return staged


@dataclass
class PreviewPage:
    """One page of one group of a stored preview."""

    action: LineAction
    lines: list[LineReport]
    page: int
    pages: int
    total: int


def preview_page(staged: ContactImport, action: LineAction | None = None, page: int = 1) -> PreviewPage:
    """Return a page of the stored preview's lines with one action (default: the first group that has any)."""
    counts = staged.report.get("counts", {})
    if action is None:
        action = next((a for a in PREVIEW_ORDER if counts.get(a.value)), LineAction.INVALID)
    total = counts.get(action.value, 0)
    pages = max(1, -(-total // PREVIEW_PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        select(ContactImportLine.line, ContactImportLine.email, ContactImportLine.reasons)
        .where(ContactImportLine.import_id == staged.id, ContactImportLine.action == action)
        .order_by(ContactImportLine.line).limit(PREVIEW_PAGE_SIZE).offset((page - 1) * PREVIEW_PAGE_SIZE))
    lines = [_line_report(line, email, action, reasons or []) for line, email, reasons in rows]
    return PreviewPage(action, lines, page, pages, total)


def planned_at(staged: ContactImport) -> datetime | None:
    """Return when the stored preview was made, or None."""
    moment = staged.report.get("planned_at")
    return as_utc(datetime.fromisoformat(moment)) if moment else None


def _locked(import_id: int) -> ContactImport | None:
    """Return the import, locked until the transaction ends (PostgreSQL), read afresh from the database."""
    return db.session.scalar(select(ContactImport).where(ContactImport.id == import_id).with_for_update()
                             .execution_options(populate_existing=True))


def request_commit(import_id: int, *, actor: str, skip_invalid: bool) -> ContactImport:
    """Queue a previewed (or failed) import; the scheduler's sweep stores it, outside the web request."""
    staged = _locked(import_id)
    if staged is None or staged.data is None:
        db.session.rollback()
        raise ImportRefused(DECIDED)
    refusal = _refusal(staged.report or {}, skip_invalid)
    if refusal:
        db.session.rollback()
        raise ImportRefused(refusal)
    try:
        transition(staged, ImportStatus.QUEUED, IMPORT_TRANSITIONS)
    except TransitionError:
        db.session.rollback()
        raise ImportRefused(DECIDED) from None
    staged.skip_invalid = skip_invalid
    staged.created_by = actor[:255]
    staged.error = ""
    db.session.commit()
    return staged


def _refusal(report: dict, skip_invalid: bool) -> str | None:
    """Return why the previewed file cannot be imported as asked, at once (the same rule the sweep applies to the
    file planned again): problems with the file, lines with errors not skipped, or nothing left to import."""
    if report.get("problems"):
        return report["problems"][0]
    invalid = report.get("counts", {}).get(LineAction.INVALID.value, 0)
    if invalid and not skip_invalid:
        return refused_for_errors(invalid, "kryssa i rutan för att hoppa över")
    if not report.get("can_commit", True):
        return "Inget att importera: alla rader hoppas över."
    return None


def cancel_import(import_id: int, *, commit: bool = True) -> bool:
    """Cancel an import that is not stored yet (previewed, queued or failed) and drop its file and preview.

    Return False when it was already decided: stored by the sweep a moment before, or cancelled already.
    With `commit=False` it works in the caller's transaction (an erasure).
    """
    staged = _locked(import_id)
    if staged is None or not can_cancel_import(staged):
        if commit:
            db.session.commit()  # ends the transaction (and the lock); nothing was changed
        return False
    transition(staged, ImportStatus.DISCARDED, IMPORT_TRANSITIONS)
    _drop_file(staged)
    if commit:
        db.session.commit()
    return True


def commit_queued(import_id: int) -> ImportResult | None:
    """Store one queued import in its own transaction — all or nothing; return None if nothing was stored.

    The file is planned again against the database as it is now. A refusal (lines with errors, nothing left
    to import) sends it back to the preview with the reason and the fresh preview.
    """
    staged = _locked(import_id)
    if staged is None or staged.status is not ImportStatus.QUEUED:
        db.session.rollback()  # cancelled (or done) since it was found in the queue
        return None
    plan = plan_import(staged.data or b"", staged.filename, staged.legal_basis, staged.default_list_keys)
    try:
        result = apply_plan(plan, actor=f"{staged.filename} ({staged.created_by})", skip_invalid=staged.skip_invalid)
    except ImportRefused as exc:
        db.session.rollback()
        staged = _locked(import_id)
        if staged is not None and staged.status is ImportStatus.QUEUED:
            transition(staged, ImportStatus.PREVIEWED, IMPORT_TRANSITIONS)
            staged.error = str(exc)[:500]
            _store_preview(staged, plan)
        db.session.commit()
        return None
    transition(staged, ImportStatus.COMMITTED, IMPORT_TRANSITIONS)
    staged.summary = result.summary()
    _drop_file(staged)
    db.session.commit()
    return result


def _mark_failed(import_id: int) -> None:
    staged = _locked(import_id)
    if staged is not None and staged.status is ImportStatus.QUEUED:
        transition(staged, ImportStatus.FAILED, IMPORT_TRANSITIONS)
        staged.error = FAILED_REASON
    db.session.commit()


def run_queued_imports() -> int:
    """Store every queued import, oldest first, each on its own; return how many were stored.

    An import that fails is rolled back and marked failed, and the sweep goes on with the next one.
    """
    queued = db.session.scalars(select(ContactImport.id).where(ContactImport.status == ImportStatus.QUEUED)
                                .order_by(ContactImport.id)).all()
    db.session.commit()
    done = 0
    for import_id in queued:
        try:
            if commit_queued(import_id) is not None:
                done += 1
        except Exception:
            db.session.rollback()
            log.exception("contact import %s failed; marked failed, the queue goes on", import_id)
            try:
                _mark_failed(import_id)
            except Exception:
                db.session.rollback()
                log.exception("contact import %s could not be marked failed", import_id)
    return done


def recent_imports(limit: int = 10) -> list[ContactImport]:
    """Return the latest imports, newest first, for the staff import page."""
    return list(db.session.scalars(select(ContactImport).order_by(ContactImport.id.desc()).limit(limit)))
