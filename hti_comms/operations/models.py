"""The nightly backups the scheduler made: one row per night, with where it went or why it failed."""
from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class NightlyBackup(db.Model):
    """One night's backup into BACKUP_DIR (the night is claimed by inserting its row, so it runs once)."""

    __tablename__ = "nightly_backup"

    #: The Stockholm date of the night, "YYYY-MM-DD".
    night: Mapped[str] = mapped_column(String(10), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The file written (None until it is done, or when it failed).
    path: Mapped[str | None] = mapped_column(String(500))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    #: Why it failed, in Swedish (None when it worked or is still running).
    error: Mapped[str | None] = mapped_column(Text)
