"""Two-factor login: TOTP (RFC 6238, 30-second steps, 6 digits) with pyotp, and ten single-use recovery codes.

A code is accepted for the current time step and the one before (a phone a little behind, or a code typed as it
changed), never two steps back, and never for a step at or before the last one accepted: the step is stored with a
conditional UPDATE, so a code seen over someone's shoulder (or sent twice at once) works only once. Recovery codes
are random, shown once, stored as SHA-256 hashes, and each is used up by one conditional UPDATE.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import or_, update

from .. import clock
from ..extensions import db
from .models import RecoveryCode, StaffUser

STEP_SECONDS = 30
ISSUER = "Hemtjänstindex"
RECOVERY_CODES = 10
#: Letters and digits that cannot be mistaken for each other when read aloud or typed (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_secret() -> str:
    return pyotp.random_base32()


def current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """Return the six-digit code of `secret` for a time step (what the person's app shows then)."""
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def provisioning_uri(user: StaffUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """Return the key in groups of four for people who type it ("ABCD EFGH …")."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(uri: str) -> str:
    """Return an inline SVG QR code of `uri`, made on the server (no image leaves for anyone else to draw)."""
    import segno

    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=False)
    return svg.replace("<svg ", '<svg role="img" aria-label="QR-kod att läsa med appen" ', 1)


def _clean(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def matching_step(secret: str, code: str, *, after: int | None) -> int | None:
    """Return the step (now or the one before, later than `after`) whose code is `code`, else None."""
    code = _clean(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    now = current_step()
    for step in (now, now - 1):
        if (after is None or step > after) and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def use_code(user: StaffUser, code: str) -> bool:
    """Accept a TOTP code of the person's enrolled key once; commit and return whether it was accepted."""
    if user.totp_secret is None:
        return False
    step = matching_step(user.totp_secret, code, after=user.totp_last_step)
    if step is None:
        return False
    taken = db.session.execute(
        update(StaffUser).where(StaffUser.id == user.id,
                                or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    db.session.refresh(user)
    return taken


def looks_like_recovery_code(code: str) -> bool:
    return len(_clean(code)) == 10 and not _clean(code).isdigit()


def _hash(code: str) -> str:
    return hashlib.sha256(_clean(code).encode()).hexdigest()


def use_recovery_code(user: StaffUser, code: str) -> bool:
    """Use up one of the person's recovery codes; commit and return whether it was one (unused)."""
    taken = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.staff_user_id == user.id, RecoveryCode.code_hash == _hash(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now()).execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return taken


def unused_recovery_codes(user: StaffUser) -> int:
    from sqlalchemy import func, select

    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.staff_user_id == user.id, RecoveryCode.used_at.is_(None)))


def new_recovery_codes(user: StaffUser) -> list[str]:
    """Replace the person's recovery codes with ten new ones (the caller commits); return them to show once."""
    db.session.query(RecoveryCode).filter(RecoveryCode.staff_user_id == user.id).delete()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(staff_user_id=user.id, code_hash=_hash(code)))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@dataclass(frozen=True)
class Enrolment:
    """A key being set up: not the person's until they type a code from it."""

    secret: str
    uri: str
    qr: str
    grouped: str


def enrolment(user: StaffUser, secret: str) -> Enrolment:
    uri = provisioning_uri(user, secret)
    return Enrolment(secret, uri, qr_svg(uri), grouped(secret))


def confirm_enrolment(user: StaffUser, secret: str, code: str, *, tell: bool = True) -> list[str] | None:
    """Make `secret` the person's second factor if `code` is its current code; return the new recovery codes.

    The person is told by email (someone who had their password could otherwise add a factor unnoticed), unless
    `tell` is false: the operator setting up the demo login at the terminal sees the key there. Every other
    session ends. Commits. Returns None when the code does not match.
    """
    step = matching_step(secret, code, after=None)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = clock.now()
    user.totp_last_step = step
    codes = new_recovery_codes(user)
    user.end_all_sessions()
    from ..stafflog.services import record
    from .notices import tell_new_second_factor

    if tell:
        tell_new_second_factor(user)
    record("auth.second_factor", "Ställde in tvåstegsverifiering", actor=user)
    db.session.commit()
    return codes


def reset_second_factor(user: StaffUser) -> None:
    """Remove the person's key and recovery codes and end their sessions (an administrator's reset; caller commits).

    They set up a new one at their next login.
    """
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.query(RecoveryCode).filter(RecoveryCode.staff_user_id == user.id).delete()
    user.end_all_sessions()
