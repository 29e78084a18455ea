"""Emails that tell a staff member about their own account: many failed attempts, a new second factor, an invitation.

Each goes through the outbox to the person alone; a warning about failed attempts at most once a (Stockholm) day.
"""
from __future__ import annotations


from ..delivery.owner import Owner
from .. import clock
from ..delivery.api import has_send
from ..delivery.api import EmailSpec, Recipient, enqueue
from ..extensions import db
from ..formatting import format_datetime
from .models import StaffUser

WARNING_KIND = "login_warning"
NEW_FACTOR_KIND = "second_factor_added"
INVITATION_KIND = "staff_invitation"


def warn_of_failed_attempts(user: StaffUser, *, what: str = "password") -> None:
    """Tell the person that their account had many failed attempts (a password, or a second-factor code); commit.

    At most one such email a day: the rest of a guessing run is in the same one.
    """
    if not user.is_enabled:
        return
    now = clock.now()
    reference = f"login-warning:{user.id}:{clock.to_stockholm(now):%Y-%m-%d}"
    if has_send(reference=reference):
        return
    spec = EmailSpec(template="auth/login_warning", subject="Många försök att logga in på ditt konto",
                     context={"at": format_datetime(now), "code": what == "code"}, kind=WARNING_KIND,
                     reference=reference, owner=Owner.of("auth", "login-warning", user.id))
    enqueue(spec, [Recipient(user.email, user.name)])
    db.session.commit()


def tell_new_second_factor(user: StaffUser) -> None:
    """Tell the person a new second factor was set up on their account (in the caller's transaction)."""
    spec = EmailSpec(template="auth/new_second_factor", subject="Ny tvåstegsverifiering på ditt konto",
                     context={"at": format_datetime(clock.now())}, kind=NEW_FACTOR_KIND,
                     owner=Owner.of("auth", "new-second-factor", user.id))
    enqueue(spec, [Recipient(user.email, user.name)])


def send_invitation(user: StaffUser, *, invited_by: str, url: str, valid_for: str, roles: str) -> None:
    """Email the person their invitation link (in the caller's transaction)."""
    spec = EmailSpec(template="auth/invitation", subject="Inbjudan till Hemtjänstindex",
                     context={"invited_by": invited_by, "valid_for": valid_for, "roles": roles},
                     kind=INVITATION_KIND, owner=Owner.of("auth", "invitation", user.id))
    enqueue(spec, [Recipient(user.email, user.name, None, {"invitation_url": url})])
