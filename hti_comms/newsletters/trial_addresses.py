"""Test addresses outside the staff logins: a few, each named by staff and confirmed once by its owner.

A test send shows a newsletter before it is public (perhaps with figures under embargo), so it goes only where the
organisation knows the reader: a staff login, or an address staff named (a colleague's phone, a mailbox to see
how Outlook shows it) whose owner pressed the button in the email sent to it. An address typed wrong therefore
never gets anything but that one email.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import clock
from ..addresses import InvalidAddress, normalise_address
from ..auth.models import StaffUser
from ..delivery.owner import Owner
from ..delivery.api import EmailSpec, Recipient, enqueue, sent_too_recently
from ..extensions import db
from ..links import personal_url
from ..tokens import BadToken, new_subject_key, read_personal_token
from .models import TrialAddress
from .services import NewsletterError

#: How many named test addresses there may be at once ("a few").
MAX_TRIAL_ADDRESSES = 5
CONFIRM_PURPOSE = "trial-address"
CONFIRM_PATH = "/provadress/"
KIND = "trial_address_confirmation"


def staff_addresses() -> list[tuple[str, str]]:
    """Return (email, name) of every enabled staff login."""
    return [(u.email, u.display_name) for u in db.session.scalars(
        select(StaffUser).where(StaffUser.is_enabled.is_(True)).order_by(StaffUser.email))]


def allowed_test_recipients() -> list[tuple[str, str]]:
    """Return (email, name) of every address a test send may go to: staff logins and confirmed test addresses."""
    found = dict(staff_addresses())
    for trial in db.session.scalars(select(TrialAddress).where(TrialAddress.confirmed_at.is_not(None))
                                    .order_by(TrialAddress.email)):
        found.setdefault(trial.email, trial.name or trial.email)
    return list(found.items())


def all_trial_addresses() -> list[TrialAddress]:
    return list(db.session.scalars(select(TrialAddress).order_by(TrialAddress.added_at)))


def add_trial_address(email: str, name: str, *, added_by: str) -> TrialAddress:
    """Name a test address and email its owner the button that confirms it; commit."""
    try:
        address = normalise_address(email)
    except InvalidAddress as error:
        raise NewsletterError(f"E-postadress: {error}") from None
    if address in dict(staff_addresses()):
        raise NewsletterError(f"E-postadress: {address} är en personalinloggning och får redan prov.")
    trial = db.session.scalar(select(TrialAddress).where(TrialAddress.email == address))
    if trial is None:
        if db.session.scalar(select(func.count()).select_from(TrialAddress)) >= MAX_TRIAL_ADDRESSES:
            raise NewsletterError(f"E-postadress: det får finnas högst {MAX_TRIAL_ADDRESSES} provadresser. Ta "
                                  "bort en först.")
        trial = TrialAddress(email=address, name=" ".join(name.split())[:200], key=new_subject_key(),
                             added_by=added_by, added_at=clock.now())
        db.session.add(trial)
        db.session.flush()  # its id names the confirmation send's owner
    if trial.confirmed_at is None and not sent_too_recently(trial.confirmation_sent_at):
        _queue_confirmation(trial)
        trial.confirmation_sent_at = clock.now()
    db.session.commit()
    return trial


def _queue_confirmation(trial: TrialAddress) -> None:
    max_age = timedelta(days=current_app.config["SUBSCRIBERS_CONFIRM_DAYS"])
    url = personal_url(CONFIRM_PATH, CONFIRM_PURPOSE, trial.key, max_age)
    spec = EmailSpec(template="newsletters/trial_confirm", subject="Vill du få provutskick från Hemtjänstindex?",
                     context={"added_by": trial.added_by}, kind=KIND,
                     owner=Owner.of("newsletters", "trial-address-confirmation", trial.id))
    enqueue(spec, [Recipient(trial.email, trial.name, fields={"confirm_url": url})])


def trial_for(token: str) -> TrialAddress | None:
    """Return the test address a confirmation link names (None for a bad or expired link); changes nothing."""
    try:
        link = read_personal_token(CONFIRM_PURPOSE, token)
    except BadToken:
        return None
    return db.session.scalar(select(TrialAddress).where(TrialAddress.key == link.subject))


def confirm(trial: TrialAddress) -> None:
    """The owner pressed the button: test sends may go to the address from now on; commit."""
    trial.confirmed_at = trial.confirmed_at or clock.now()
    db.session.commit()


def remove(trial: TrialAddress) -> None:
    db.session.delete(trial)
    db.session.commit()


# --- a person's data ---------------------------------------------------------------------------------------------

def export(person) -> list[dict] | None:
    from ..personal_data import timestamp

    trial = db.session.scalar(select(TrialAddress).where(TrialAddress.email == person.email))
    if trial is None:
        return None
    return [{"e-post": trial.email, "namn": trial.name, "inlagd av": trial.added_by,
             "inlagd": timestamp(trial.added_at), "bekräftad": timestamp(trial.confirmed_at)}]


def erase(person) -> int:
    """Delete the person's test address in the caller's transaction; return how many rows went."""
    trial = db.session.scalar(select(TrialAddress).where(TrialAddress.email == person.email))
    if trial is None:
        return 0
    db.session.delete(trial)
    db.session.flush()
    return 1
