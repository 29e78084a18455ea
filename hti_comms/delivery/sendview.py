"""A send as other domains and the release guards see it: what it is about (its owner), its state and its times,
read-only, so the engine's state changes only through `delivery.api`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from .models import Send, SendStatus
from .owner import Owner


@dataclass(frozen=True)
class SendView:
    """A send as another domain sees it: what it is about, its state and its times (read-only)."""

    id: int
    owner: Owner
    kind: str
    subject: str
    status: SendStatus
    reference: str | None
    list_key: str | None
    scheduled_at: datetime
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    pause_reason: str | None

    @property
    def is_running(self) -> bool:
        return self.status in (SendStatus.SENDING, SendStatus.SCHEDULED)

    @property
    def can_pause(self) -> bool:
        return self.status in (SendStatus.SCHEDULED, SendStatus.SENDING)

    @property
    def can_resume(self) -> bool:
        return self.status is SendStatus.PAUSED

    @property
    def is_flagged(self) -> bool:
        return self.status is SendStatus.PAUSED and self.pause_reason is not None


def view(send: Send) -> SendView:
    return SendView(id=send.id, owner=send.owner, kind=send.kind, subject=send.subject, status=send.status,
                    reference=send.reference, list_key=send.list_key, scheduled_at=send.scheduled_at,
                    created_at=send.created_at, started_at=send.started_at, finished_at=send.finished_at,
                    pause_reason=send.pause_reason)


_VIEW_COLUMNS = (Send.id, Send.owner_domain, Send.owner_kind, Send.owner_key, Send.kind, Send.subject, Send.status,
                 Send.reference, Send.list_key, Send.scheduled_at, Send.created_at, Send.started_at,
                 Send.finished_at, Send.pause_reason)


def views_where(*conditions) -> list[SendView]:
    """Return the sends matching `conditions` as views, read in one query without their bodies or context (the
    worker asks for every running send at every claim)."""
    return [SendView(id=row.id, owner=Owner(row.owner_domain, row.owner_kind, row.owner_key), kind=row.kind,
                     subject=row.subject, status=row.status, reference=row.reference, list_key=row.list_key,
                     scheduled_at=row.scheduled_at, created_at=row.created_at, started_at=row.started_at,
                     finished_at=row.finished_at, pause_reason=row.pause_reason)
            for row in db.session.execute(select(*_VIEW_COLUMNS).where(*conditions))]
