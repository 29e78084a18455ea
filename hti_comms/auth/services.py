"""Create staff accounts and check their passwords."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ..addresses import InvalidAddress, normalise_address
from ..clock import now
from ..extensions import db
from .models import StaffUser

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login with an unknown address like a real one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class StaffError(ValueError):
    """A Swedish message about why the account cannot be created."""


def create_staff(email: str, password: str, name: str = "") -> StaffUser:
    """Create a staff account with an argon2-hashed password."""
    try:
        address = normalise_address(email)
    except InvalidAddress as exc:
        raise StaffError(str(exc)) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.")
    if db.session.scalar(select(StaffUser).where(StaffUser.email == address)):
        raise StaffError(f"Det finns redan ett personalkonto för {address}.")
    user = StaffUser(email=address, name=name.strip(), password_hash=_hasher.hash(password), created_at=now())
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """Return the enabled staff user with this address and password, or None."""
    try:
        address = normalise_address(email)
    except InvalidAddress:
        address = None  # no account has it; still spend the time of a real check below
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == address)) if address else None
    hash_to_check = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(hash_to_check, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_enabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now()
    db.session.commit()
    return user


def staff_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser))
