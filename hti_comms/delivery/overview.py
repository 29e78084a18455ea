"""The delivery domain's blocks on the staff overview: stopped and failed sends, bounces, the next sends."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from .. import clock
from ..domain import OverviewPart
from ..extensions import db
from .models import OutboxMessage, OutboxStatus, Send, SendStatus, Suppression

#: Bounces are compared week by week: this week's hard bounces against the week before's.
BOUNCE_WEEK = timedelta(days=7)
#: Failed messages of the last days count as "waiting for someone".
FAILED_WINDOW = timedelta(days=7)


def problems() -> OverviewPart | None:
    """Sends the engine or staff paused, messages that failed or may not have arrived, and rising bounces."""
    now = clock.now()
    paused = list(db.session.scalars(select(Send).where(Send.status == SendStatus.PAUSED).order_by(Send.id.desc())))
    failed = db.session.execute(
        select(Send.id, Send.subject, func.count()).join(OutboxMessage, OutboxMessage.send_id == Send.id)
        .where(OutboxMessage.status == OutboxStatus.FAILED, Send.created_at >= now - FAILED_WINDOW)
        .group_by(Send.id, Send.subject).order_by(Send.id.desc())).all()
    unknown = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.UNKNOWN)) or 0
    this_week, last_week = (db.session.scalar(select(func.count()).select_from(Suppression).where(
        Suppression.reason == "hard_bounce", Suppression.created_at >= now - weeks * BOUNCE_WEEK,
        Suppression.created_at < now - (weeks - 1) * BOUNCE_WEEK)) or 0 for weeks in (1, 2))
    rising = this_week > last_week
    if not (paused or failed or unknown or rising):
        return None
    return OverviewPart("waiting", "web/delivery/_overview.html", {
        "paused": paused, "failed": failed, "unknown": unknown, "bounces": (this_week, last_week, rising)}, order=30)


def next_sends() -> OverviewPart | None:
    """Sends scheduled for later (a test email, a brief at a set time; newsletters show their own)."""
    sends = list(db.session.scalars(select(Send).where(
        Send.status == SendStatus.SCHEDULED, Send.scheduled_at > clock.now()).order_by(Send.scheduled_at).limit(5)))
    if not sends:
        return None
    return OverviewPart("coming", "web/delivery/_overview_next.html", {"sends": sends}, order=30)
