"""Create staff accounts and check their passwords."""
from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from ..addresses import InvalidAddress, normalise_address
from ..clock import now
from ..extensions import db
from .models import StaffUser

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Return a hash made like a real one; verifying against it makes an unknown address take as long.

    Made on first use rather than at import, so that commands and workers that never log anyone in do not pay
    for an argon2 hash at start-up.
    """
    return _hasher.hash("not-a-real-password")


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


def find_staff(email: str) -> StaffUser | None:
    """Return the staff user with this address (any case, Unicode or punycode domain), or None."""
    try:
        address = normalise_address(email)
    except InvalidAddress:
        return None  # no account can have it
    return db.session.scalar(select(StaffUser).where(StaffUser.email == address))


def authenticate(email: str, password: str) -> StaffUser | None:
    """Return the enabled staff user with this address and password, or None."""
    # Made before the lookup, so the first login of a process costs the same whether the address exists or not.
    dummy_hash = _dummy_hash()
    user = find_staff(email)
    hash_to_check = user.password_hash if user is not None else dummy_hash
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


def user_of_session(session_id: str) -> StaffUser | None:
    """Return the enabled user whose session id ("<id>:<version>") is current, or None (logged out elsewhere)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # also a session from before versions existed: log in again
    user = db.session.get(StaffUser, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def end_sessions(user: StaffUser) -> None:
    """End every session of the user, on every browser and device, and commit."""
    user.end_all_sessions()
    db.session.commit()


def change_password(user: StaffUser, new_password: str) -> None:
    """Set a new password and end every session of the user (the caller logs the current one in again)."""
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.")
    user.password_hash = _hasher.hash(new_password)
    user.end_all_sessions()
    db.session.commit()


def check_password(user: StaffUser, password: str) -> bool:
    """Return whether `password` is the user's current password."""
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def staff_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser))
