"""What the bounces domain asks of the outbox: which row a returned message is about, the suppression list, and
per-send counts for list health. The only door into the outbox's tables for mail that comes back."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update

from ..addresses import lookup_form
from ..extensions import db
from .models import WAITING, OutboxMessage, OutboxStatus, Send, Suppression


@dataclass(frozen=True)
class SentTo:
    """The outbox row a VERP token names."""

    outbox_id: int
    send_id: int
    email: str
    list_key: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class SuppressionEntry:
    email: str
    reason: str
    detail: str | None
    created_at: datetime


def sent_to(outbox_id: int) -> SentTo | None:
    """Return the outbox row with this id, or None (never sent, or erased since)."""
    row = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.send_id, OutboxMessage.email, Send.list_key, OutboxMessage.sent_at)
        .join(Send, Send.id == OutboxMessage.send_id).where(OutboxMessage.id == outbox_id)).first()
    return SentTo(*row) if row is not None else None


def ever_sent_to(email: str) -> bool:
    """Return whether any outbox row is addressed to this address."""
    return db.session.scalar(select(exists().where(OutboxMessage.email == lookup_form(email))))


def suppression_of(email: str) -> SuppressionEntry | None:
    entry = db.session.scalar(select(Suppression).where(Suppression.email == lookup_form(email)))
    if entry is None:
        return None
    return SuppressionEntry(entry.email, entry.reason, entry.detail, entry.created_at)


def suppressed_among(emails: Iterable[str]) -> set[str]:
    """Return which of these (lower-case) addresses are suppressed."""
    emails = list(emails)
    found: set[str] = set()
    for start in range(0, len(emails), 900):
        found.update(db.session.scalars(select(Suppression.email).where(
            Suppression.email.in_(emails[start:start + 900]))))
    return found


def lift_suppression(email: str) -> str | None:
    """Take the address off the suppression list in the caller's transaction; return the reason it had."""
    entry = suppression_of(email)
    if entry is None:
        return None
    db.session.execute(delete(Suppression).where(Suppression.email == entry.email))
    return entry.reason


def sent_counts(send_ids: Iterable[int]) -> dict[int, int]:
    """Return {send id: messages handed to the mail server} (rows sent, or with an unknown outcome)."""
    send_ids = list(send_ids)
    if not send_ids:
        return {}
    rows = db.session.execute(
        select(OutboxMessage.send_id, func.count()).where(
            OutboxMessage.send_id.in_(send_ids),
            OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.UNKNOWN)))
        .group_by(OutboxMessage.send_id))
    return {send_id: count for send_id, count in rows}


def list_sends_since(moment: datetime, send_ids: list[int] | None = None) -> list[tuple[int, str, str, datetime]]:
    """Return (send id, list key, subject, started) of the list sends started since `moment` (or of these
    sends, whenever they started), newest first."""
    condition = Send.id.in_(send_ids) if send_ids is not None else Send.started_at >= moment
    return [tuple(row) for row in db.session.execute(
        select(Send.id, Send.list_key, Send.subject, Send.started_at)
        .where(Send.list_key.is_not(None), condition).order_by(Send.started_at.desc()))]


def sent_to_many(outbox_ids: Iterable[int]) -> dict[int, SentTo]:
    """Return {outbox id: SentTo} for the rows that exist among these ids.

    The rows are read by id alone and their sends' list keys in a second query: joined, PostgreSQL planned a walk
    of the whole send by (send_id, status) while its statistics still counted the table as empty (right after a
    large send, before autovacuum), 40 ms for 500 rows instead of under 1 ms."""
    outbox_ids = sorted(set(outbox_ids))
    rows = []
    for start in range(0, len(outbox_ids), 900):
        rows.extend(db.session.execute(
            select(OutboxMessage.id, OutboxMessage.send_id, OutboxMessage.email, OutboxMessage.sent_at)
            .where(OutboxMessage.id.in_(outbox_ids[start:start + 900]))))
    list_keys = dict(db.session.execute(select(Send.id, Send.list_key).where(
        Send.id.in_({send_id for _id, send_id, _email, _sent_at in rows}))).all()) if rows else {}
    return {outbox_id: SentTo(outbox_id, send_id, email, list_keys.get(send_id), sent_at)
            for outbox_id, send_id, email, sent_at in rows}


def suppress_many(entries: dict[str, tuple[str, str | None]], created_at: datetime) -> None:
    """Put {address: (reason, detail)} on the suppression list in the caller's transaction (addresses already
    there keep their first reason). One statement: an address already there is skipped by the database
    (ON CONFLICT DO NOTHING), so no look-up first, and another way in suppressing it at the same moment is
    no conflict."""
    from sqlalchemy.dialects import postgresql, sqlite

    if not entries:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(Suppression.__table__).on_conflict_do_nothing(index_elements=["email"]), [
        {"email": email, "reason": reason, "detail": detail, "created_at": created_at}
        for email, (reason, detail) in entries.items()])


def withdraw_all_list_mail(emails: Iterable[str]) -> int:
    """Cancel list mail of every list still waiting to go to any of these addresses, in the caller's
    transaction (as `services.withdraw_list_mail(email, None)` for each, in two statements per 900 addresses)."""
    emails = sorted(set(emails))
    sends = select(Send.id).where(Send.list_key.is_not(None))
    withdrawn = 0
    for start in range(0, len(emails), 900):
        # The rows are found by address first, then changed by id: given the conditions together, SQLite walks
        # every waiting row of the send by (send_id, status), and so does PostgreSQL while its statistics still
        # count the table as empty (30 ms for 25 addresses instead of under 1 ms).
        ids = list(db.session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.email.in_(emails[start:start + 900]))))
        for first in range(0, len(ids), 900):  # an address may have a row in many sends
            withdrawn += db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids[first:first + 900]), OutboxMessage.status.in_(WAITING),
                       OutboxMessage.send_id.in_(sends))
                .values(status=OutboxStatus.CANCELLED, retry_after=None)
                .execution_options(synchronize_session=False)).rowcount
    return withdrawn
