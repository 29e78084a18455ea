"""Asking for, confirming and leaving "Min kommun kl. 07.00"; each public function owns its transaction.

The pattern is the subscribers domain's sign-up: the form stores a request and emails a link; opening the link
only shows a button, and pressing it confirms (mail scanners open links). Asking again within the resend window
sends no second email, and the answer on the page never tells whether the address was known. Leaving is one
click from every email (RFC 8058) and deletes the person: nothing about them is kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from .. import clock
from ..addresses import InvalidAddress, normalise_address
from ..delivery.api import sent_too_recently
from ..delivery.services import withdraw_list_mail
from ..extensions import db
from ..geo.models import Municipality
from ..status import transition
from ..subscribers.audiences import MunicipalityNameError, municipality_codes_from_names
from ..tokens import BadToken, new_subject_key, read_personal_token
from .links import ALERT_LIST_KEY, CONFIRM_PURPOSE
from .models import ALERT_TRANSITIONS, AlertMunicipality, AlertStatus, AlertSubscriber

#: At most this many municipalities per address: the service is for one's own (and a parent's, a neighbour's).
MAX_MUNICIPALITIES = 10


class AlertError(ValueError):
    """A Swedish message about what was typed, naming the field ("E-postadress: …", "Kommun: …")."""


@dataclass(frozen=True)
class Request:
    email: str
    municipalities: str
    ip_address: str | None = None


def municipality_codes(text: str) -> tuple[str, ...]:
    """Return the codes of the municipalities typed (names or codes, separated by commas), or raise AlertError."""
    try:
        codes = municipality_codes_from_names(text)
    except MunicipalityNameError as error:
        raise AlertError(str(error)) from None
    if not codes:
        raise AlertError("Kommun: skriv namnet på minst en kommun, till exempel Habo.")
    if len(codes) > MAX_MUNICIPALITIES:
        raise AlertError(f"Kommun: välj högst {MAX_MUNICIPALITIES} kommuner.")
    return codes


def _address(text: str) -> str:
    try:
        return normalise_address(text)
    except InvalidAddress as error:
        raise AlertError(f"E-postadress: {error}") from None


def find_subscriber(email: str) -> AlertSubscriber | None:
    try:
        address = normalise_address(email)
    except InvalidAddress:
        return None
    return db.session.scalar(select(AlertSubscriber).where(AlertSubscriber.email == address))


def subscriber_by_link_key(link_key: str) -> AlertSubscriber | None:
    return db.session.scalar(select(AlertSubscriber).where(AlertSubscriber.link_key == link_key))


def _subscriber(email: str, now) -> AlertSubscriber:
    subscriber = db.session.scalar(select(AlertSubscriber).where(AlertSubscriber.email == email))
    if subscriber is None:
        subscriber = AlertSubscriber(email=email, link_key=new_subject_key(), status=AlertStatus.PENDING,
                                     created_at=now)
        db.session.add(subscriber)
    return subscriber


def request_alerts(request: Request) -> AlertSubscriber:
    """Store what the form asked for and email the confirmation link (at most once per resend window); commit.

    Municipalities already confirmed stay as they are; new ones wait for the button. Nothing is sent when there
    is nothing new to confirm, so the form can never be used to fill someone's inbox.
    """
    codes = municipality_codes(request.municipalities)
    email = _address(request.email)
    now = clock.now()
    subscriber = _subscriber(email, now)
    have = {m.municipality_code for m in subscriber.municipalities}
    if len(have | set(codes)) > MAX_MUNICIPALITIES:
        raise AlertError(f"Kommun: en adress kan följa högst {MAX_MUNICIPALITIES} kommuner.")
    for code in codes:
        if code not in have:
            subscriber.municipalities.append(AlertMunicipality(municipality_code=code, created_at=now))
    waiting = [m for m in subscriber.municipalities if m.confirmed_at is None]
    if waiting and not sent_too_recently(subscriber.confirmation_sent_at):
        from .emails import queue_confirmation

        db.session.flush()
        queue_confirmation(subscriber)
        subscriber.confirmation_sent_at = now
    db.session.commit()
    return subscriber


def waiting_municipalities(subscriber: AlertSubscriber) -> list[Municipality]:
    """Return the municipalities the subscriber asked for that are not confirmed yet, by name."""
    codes = [m.municipality_code for m in subscriber.municipalities if m.confirmed_at is None]
    return sorted((db.session.get(Municipality, code) for code in codes), key=lambda m: m.short_name)


def followed_municipalities(subscriber: AlertSubscriber) -> list[Municipality]:
    """Return the confirmed municipalities of the subscriber, by name."""
    codes = [m.municipality_code for m in subscriber.municipalities if m.confirmed_at is not None]
    return sorted((db.session.get(Municipality, code) for code in codes), key=lambda m: m.short_name)


def subscriber_for_confirmation(token: str) -> tuple[AlertSubscriber | None, bool]:
    """Return (subscriber, expired) for a confirmation link; changes nothing (opening a link never confirms)."""
    try:
        link = read_personal_token(CONFIRM_PURPOSE, token)
    except BadToken as bad:
        return None, bad.expired
    return subscriber_by_link_key(link.subject), False


def confirm(subscriber: AlertSubscriber) -> list[Municipality]:
    """Confirm the address and every municipality waiting (the person pressed the button); commit. Return them."""
    confirmed = waiting_municipalities(subscriber)
    now = clock.now()
    for item in subscriber.municipalities:
        if item.confirmed_at is None:
            item.confirmed_at = now
    if subscriber.status is AlertStatus.PENDING:
        transition(subscriber, AlertStatus.CONFIRMED, ALERT_TRANSITIONS)
        subscriber.confirmed_at = now
    db.session.commit()
    return confirmed


def add_confirmed(email: str, municipality: str) -> tuple[AlertSubscriber, Municipality]:
    """Add a confirmed alert as if confirmed by email (staff and checks: `hti alert add`); commit."""
    code = municipality_codes(municipality)[0]
    address = _address(email)
    now = clock.now()
    subscriber = _subscriber(address, now)
    item = next((m for m in subscriber.municipalities if m.municipality_code == code), None)
    if item is None:
        if len(subscriber.municipalities) >= MAX_MUNICIPALITIES:
            raise AlertError(f"Kommun: en adress kan följa högst {MAX_MUNICIPALITIES} kommuner.")
        item = AlertMunicipality(municipality_code=code, created_at=now)
        subscriber.municipalities.append(item)
    item.confirmed_at = item.confirmed_at or now
    if subscriber.status is AlertStatus.PENDING:
        transition(subscriber, AlertStatus.CONFIRMED, ALERT_TRANSITIONS)
        subscriber.confirmed_at = now
    db.session.commit()
    return subscriber, db.session.get(Municipality, code)


def leave(subscriber: AlertSubscriber) -> None:
    """Delete the person and everything about them; alerts still waiting in the outbox are cancelled; commit."""
    withdraw_list_mail(subscriber.email, ALERT_LIST_KEY)
    db.session.delete(subscriber)
    db.session.commit()


def purge_unconfirmed() -> int:
    """Delete requests never confirmed within the retention period; return how many municipalities went."""
    cutoff = clock.now() - timedelta(days=current_app.config["SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS"])
    removed = db.session.execute(delete(AlertMunicipality).where(
        AlertMunicipality.confirmed_at.is_(None), AlertMunicipality.created_at < cutoff)).rowcount
    empty = select(AlertMunicipality.subscriber_id).where(AlertMunicipality.subscriber_id == AlertSubscriber.id)
    db.session.execute(delete(AlertSubscriber).where(~empty.exists(), AlertSubscriber.created_at < cutoff))
    db.session.commit()
    return removed


def follower_counts() -> dict[str, int]:
    """Return {municipality code: confirmed followers} (for staff)."""
    rows = db.session.execute(select(AlertMunicipality.municipality_code, func.count()).where(
        AlertMunicipality.confirmed_at.is_not(None)).group_by(AlertMunicipality.municipality_code))
    return dict(rows.all())
