"""Figures about the outbox for the health check and the metrics (read-only, a few aggregate queries)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from ..extensions import db
from .models import WAITING, OutboxMessage, OutboxStatus, Send, SendStatus, Suppression


def oldest_due_at(now: datetime) -> datetime | None:
    """Return when the oldest row a worker should be sending now became due (None when nothing is due)."""
    due_since = func.coalesce(OutboxMessage.retry_after, Send.scheduled_at)
    return db.session.scalar(
        select(func.min(due_since)).select_from(OutboxMessage).join(Send, Send.id == OutboxMessage.send_id)
        .where(OutboxMessage.status.in_(WAITING), Send.status == SendStatus.SENDING, Send.scheduled_at <= now,
               or_(OutboxMessage.retry_after.is_(None), OutboxMessage.retry_after <= now)))


def rows_by_state() -> dict[str, int]:
    """Return the number of outbox rows in each state (every state named, 0 included)."""
    counts = dict(db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return {state.value: counts.get(state, 0) for state in OutboxStatus}


def sent_per_kind() -> dict[str, int]:
    """Return the messages sent so far per kind of email (`Send.kind`)."""
    return dict(db.session.execute(
        select(Send.kind, func.count()).select_from(OutboxMessage).join(Send, Send.id == OutboxMessage.send_id)
        .where(OutboxMessage.status == OutboxStatus.SENT).group_by(Send.kind)).all())


def suppressions_by_reason() -> dict[str, int]:
    """Return the suppressed addresses per reason ("hard_bounce", "complaint", …)."""
    return dict(db.session.execute(select(Suppression.reason, func.count()).group_by(Suppression.reason)).all())
