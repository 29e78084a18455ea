"""Create staff accounts, give them roles, and check their passwords."""
from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select

from ..addresses import InvalidAddress, normalise_address
from ..clock import now
from ..extensions import db
from .models import StaffRole, StaffUser
from .roles import Role

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher_with(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    """Return the argon2id hasher of the app's cost profile (config `PASSWORD_HASH_PROFILE`)."""
    return _hasher_with(current_app.config["PASSWORD_HASH_PROFILE"])


def _dummy_hash() -> str:
    """Return a hash made like a real one; verifying against it makes an unknown address take as long.

    Made on first use rather than at import, so that commands and workers that never log anyone in do not pay
    for an argon2 hash at start-up.
    """
    return _dummy_hash_with(_hasher())


@cache
def _dummy_hash_with(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-real-password")


class StaffError(ValueError):
    """A Swedish message about why the account cannot be created."""


def create_staff(email: str, password: str, name: str = "", roles=(Role.ADMINISTRATOR,)) -> StaffUser:
    """Create a staff account with an argon2-hashed password and these roles (default: administrator)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffError(f"Lösenordet måste ha minst {MIN_PASSWORD_LENGTH} tecken.")
    user = new_staff(email, name, roles)
    user.password_hash = _hasher().hash(password)
    db.session.commit()
    return user


def new_staff(email: str, name: str, roles) -> StaffUser:
    """Add an account without a password (the caller sets one, or invites the person) in the caller's transaction."""
    try:
        address = normalise_address(email)
    except InvalidAddress as exc:
        raise StaffError(str(exc)) from None
    if db.session.scalar(select(StaffUser).where(StaffUser.email == address)):
        raise StaffError(f"Det finns redan ett personalkonto för {address}.")
    user = StaffUser(email=address, name=" ".join(name.split())[:120], password_hash="", created_at=now())
    user.role_rows = [StaffRole(role=role) for role in dict.fromkeys(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def enabled_administrators(excluding: StaffUser | None = None) -> int:
    """Return how many enabled administrators there are, not counting `excluding`."""
    query = (select(func.count(func.distinct(StaffUser.id))).join(StaffRole)
             .where(StaffUser.is_enabled.is_(True), StaffRole.role == Role.ADMINISTRATOR))
    if excluding is not None:
        query = query.where(StaffUser.id != excluding.id)
    return db.session.scalar(query)


def set_roles(user: StaffUser, roles, *, enabled: bool) -> None:
    """Give the person exactly these roles and enable or disable the account (the caller commits).

    Nobody can take away the last enabled administrator: someone must always be able to manage the accounts.
    """
    roles = list(dict.fromkeys(roles))
    stays_administrator = enabled and Role.ADMINISTRATOR in roles
    if not stays_administrator and user.may(Role.ADMINISTRATOR) and user.is_enabled \
            and enabled_administrators(excluding=user) == 0:
        raise StaffError(f"{user.display_name} är den enda administratören. Ge någon annan rollen Administratör "
                         "först, så att någon alltid kan sköta personalkontona.")
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        StaffRole(role=role) for role in roles if role not in user.roles]
    if user.is_enabled and not enabled:
        user.end_all_sessions()
    user.is_enabled = enabled


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
        _hasher().verify(hash_to_check, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_enabled:
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
        db.session.commit()
    return user


def record_login(user: StaffUser) -> None:
    """Note the moment of a completed login (after the second factor, when there is one) and commit."""
    user.last_login_at = now()
    db.session.commit()


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
    user.password_hash = _hasher().hash(new_password)
    user.end_all_sessions()
    db.session.commit()


def check_password(user: StaffUser, password: str) -> bool:
    """Return whether `password` is the user's current password."""
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def staff_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser))
