"""The subscribers domain's block on the staff overview: contact files waiting for a decision."""
from __future__ import annotations

from sqlalchemy import select

from ..domain import OverviewPart
from ..extensions import db
from .imports.models import ContactImport, ImportStatus


def imports_waiting() -> OverviewPart | None:
    """Contact files staff uploaded and have not decided on, and ones the import could not store."""
    staged = list(db.session.scalars(select(ContactImport).where(ContactImport.status.in_(
        (ImportStatus.PREVIEWED, ImportStatus.FAILED))).order_by(ContactImport.created_at)))
    if not staged:
        return None
    return OverviewPart("waiting", "web/subscribers/_overview_imports.html", {"staged": staged}, order=20)
