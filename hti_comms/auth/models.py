"""Staff accounts (SPF's federation office)."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; login compares case-insensitively.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    #: argon2id hash (argon2-cffi); never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Part of every session's id: raising it (logout, new password) ends every session the person has.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_enabled

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session: "<id>:<session version>"."""
        return f"{self.id}:{self.session_version}"

    def end_all_sessions(self) -> None:
        """Make every session of this person invalid (from the next request on)."""
        # In SQL, so that two logouts at the same moment both count.
        self.session_version = type(self).session_version + 1

    @property
    def display_name(self) -> str:
        return self.name or self.email
