"""The tables of a contact import: the staged file with its status, and one row per line of its preview."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ...dbtypes import UTCDateTime
from ...extensions import db
from ...status import LabelledEnum, can_transition
from ..models import LegalBasis, _enum


class ImportStatus(LabelledEnum):
    PREVIEWED = ("previewed", "Förhandsgranskas")
    #: Staff asked to import it; the scheduler's sweep does the work outside the web request.
    QUEUED = ("queued", "Väntar på att importeras")
    COMMITTED = ("committed", "Importerad")
    #: The sweep could not store it (an error in the system, not in the file); the reason is in `error`.
    FAILED = ("failed", "Misslyckades")
    DISCARDED = ("discarded", "Avbruten")


#: Allowed changes of an import's status. A file the sweep refuses (rows with errors) goes back to the preview
#: with the reason; a failed one can be queued again; staff can cancel any import that is not yet decided.
IMPORT_TRANSITIONS: dict[ImportStatus, frozenset[ImportStatus]] = {
    ImportStatus.PREVIEWED: frozenset({ImportStatus.QUEUED, ImportStatus.DISCARDED}),
    ImportStatus.QUEUED: frozenset({ImportStatus.COMMITTED, ImportStatus.PREVIEWED, ImportStatus.FAILED,
                                    ImportStatus.DISCARDED}),
    ImportStatus.FAILED: frozenset({ImportStatus.QUEUED, ImportStatus.DISCARDED}),
    ImportStatus.COMMITTED: frozenset(),
    ImportStatus.DISCARDED: frozenset(),
}


def can_cancel_import(contact_import: "ContactImport") -> bool:
    """Return whether staff may still cancel the import (nothing of it is stored yet)."""
    return can_transition(IMPORT_TRANSITIONS, contact_import.status, ImportStatus.DISCARDED)


class ContactImport(db.Model):
    """An uploaded contact file between preview and commit; the file itself is dropped once decided."""

    __tablename__ = "contact_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: The uploaded bytes; set to None on commit or discard (it holds personal data).
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    legal_basis: Mapped[LegalBasis] = mapped_column(_enum(LegalBasis))
    #: Lists given to rows whose "listor" column is empty.
    default_list_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ImportStatus] = mapped_column(_enum(ImportStatus))
    created_by: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Import the valid rows even though some have errors (staff ticked it when asking for the import).
    skip_invalid: Mapped[bool] = mapped_column(default=False)
    #: Why the last attempt imported nothing (Swedish, shown on the preview).
    error: Mapped[str] = mapped_column(String(500), default="")
    #: Anonymous counts kept after commit: {"created": n, "updated": n, "skipped": n, "invalid": n}.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The preview, planned once when the file came in: {"problems": [...], "counts": {action: n},
    #: "new_contacts": n, "can_commit": bool, "planned_at": ISO time}; its lines are ContactImportLine rows.
    report: Mapped[dict] = mapped_column(JSON, default=dict)


class LineAction(LabelledEnum):
    """What importing a file would do with one of its lines."""

    CREATE = ("create", "Läggs till")
    UPDATE = ("update", "Uppdateras")
    MERGE = ("merge", "Slås ihop")
    SKIP = ("skip", "Hoppas över")
    INVALID = ("invalid", "Fel")


class ContactImportLine(db.Model):
    """One line of a staged file's preview; they go with the file when the import is decided."""

    __tablename__ = "contact_import_line"
    __table_args__ = (Index("ix_contact_import_line_import_action_line", "import_id", "action", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("contact_import.id", ondelete="CASCADE"))
    line: Mapped[int]
    action: Mapped[LineAction] = mapped_column(_enum(LineAction))
    #: The address as stored (or as written, when it is not an address): an erasure finds the person here.
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
