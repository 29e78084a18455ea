"""Staff accounts (SPF's federation office): their roles, second factor and recovery codes."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db
from .roles import SECOND_FACTOR_ROLES, Role, grants


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; login compares case-insensitively.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    #: argon2id hash (argon2-cffi); never the password itself. Empty while an invitation is unanswered.
    password_hash: Mapped[str] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Part of every session's id: raising it (logout, new password) ends every session the person has.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: When an administrator invited the person (None: made on the command line).
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The TOTP key (RFC 6238, base32) once the person has confirmed it with a code; None: no second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last 30-second time step whose code was accepted: a code is never accepted twice, nor an older one.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    role_rows: Mapped[list["StaffRole"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                      order_by="StaffRole.role")

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

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    def may(self, needed: Role | None) -> bool:
        """Return whether the person may do what needs `needed` (None: any logged-in staff)."""
        return grants(self.roles, needed)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    @property
    def has_accepted_invitation(self) -> bool:
        return bool(self.password_hash)


class StaffRole(db.Model):
    """One role of one staff member (a person has several)."""

    __tablename__ = "staff_role"

    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="staff_role_name", native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
             validate_strings=True), primary_key=True)


class RecoveryCode(db.Model):
    """One of a person's ten single-use recovery codes, for a login without their phone (stored hashed)."""

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the code: the codes are random (50 bits), so a hash without salt cannot be reversed by guessing.
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def needs_second_factor(user: StaffUser, *, everyone: bool) -> bool:
    """Return whether the person must log in with a second factor (their roles, or the setting for everyone)."""
    return everyone or bool(user.roles & SECOND_FACTOR_ROLES)
