"""What the suppression list says about one address, and list health: bounce and complaint rates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select

from .. import clock
from ..addresses import lookup_form
from ..delivery import returns
from ..domain import OverviewPart
from ..extensions import db
from .models import BounceReport, ReportKind
from .services import soft_bounces


def suppression_state(email: str) -> dict:
    """Return the `hti suppression show` record for the address."""
    from ..subscribers.models import ContactStatus
    from ..subscribers.services import find_contact

    address = lookup_form(email)
    entry = returns.suppression_of(address)
    contact = find_contact(address)
    reason = entry.reason if entry is not None else None
    if reason is None and contact is not None and contact.status is ContactStatus.UNSUBSCRIBED:
        reason = "unsubscribed"
    gets_mail = reason is None and contact is not None and contact.status is ContactStatus.CONFIRMED
    return {
        "email": address,
        "suppressed": reason is not None,
        "reason": reason,
        "soft_bounces_30d": soft_bounces(address, clock.now())[0],
        "lists": sorted(contact.list_keys) if gets_mail else [],
    }


#: Thresholds of the big mailbox providers' bulk sender rules (Gmail, Yahoo since 2024), as shares of mail sent.
COMPLAINT_WARN = 0.001
COMPLAINT_ALARM = 0.003
HARD_BOUNCE_WARN = 0.02
HEALTH_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class SendHealth:
    send_id: int
    list_key: str
    subject: str
    started_at: datetime | None
    sent: int
    hard: int
    soft: int
    complaints: int

    @property
    def delivered(self) -> int:
        return max(self.sent - self.hard - self.soft, 0)


@dataclass(frozen=True)
class ListHealth:
    list_key: str
    sent: int
    hard: int
    soft: int
    complaints: int

    @property
    def hard_rate(self) -> float:
        return self.hard / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        return self.complaints / self.sent if self.sent else 0.0

    @property
    def level(self) -> str:
        """Return "alarm", "warn" or "ok" by the thresholds."""
        if self.complaint_rate >= COMPLAINT_ALARM:
            return "alarm"
        if self.complaint_rate >= COMPLAINT_WARN or self.hard_rate >= HARD_BOUNCE_WARN:
            return "warn"
        return "ok"


def send_health(since: datetime | None = None, send_ids: list[int] | None = None) -> list[SendHealth]:
    """Return each list send of the last 30 days (or these sends): sent, hard and soft bounces and complaints
    (addresses)."""
    sends = returns.list_sends_since(since or clock.now() - HEALTH_WINDOW, send_ids)
    ids = [send_id for send_id, *_rest in sends]
    sent = returns.sent_counts(ids)
    counted: dict[tuple[int, ReportKind], int] = {}
    for start in range(0, len(ids), 900):
        for send_id, kind, number in db.session.execute(
                select(BounceReport.send_id, BounceReport.kind, func.count(distinct(BounceReport.email)))
                .where(BounceReport.send_id.in_(ids[start:start + 900]),
                       BounceReport.kind.in_((ReportKind.HARD_BOUNCE, ReportKind.SOFT_BOUNCE, ReportKind.COMPLAINT)))
                .group_by(BounceReport.send_id, BounceReport.kind)):
            counted[(send_id, kind)] = number
    return [SendHealth(send_id, list_key, subject, started_at, sent.get(send_id, 0),
                       counted.get((send_id, ReportKind.HARD_BOUNCE), 0), counted.get((send_id, ReportKind.SOFT_BOUNCE), 0),
                       counted.get((send_id, ReportKind.COMPLAINT), 0))
            for send_id, list_key, subject, started_at in sends]


def list_health(sends: list[SendHealth] | None = None) -> list[ListHealth]:
    """Return each list's totals over the last 30 days, worst first."""
    totals: dict[str, list[int]] = {}
    for send in send_health() if sends is None else sends:
        total = totals.setdefault(send.list_key, [0, 0, 0, 0])
        for position, value in enumerate((send.sent, send.hard, send.soft, send.complaints)):
            total[position] += value
    lists = [ListHealth(key, *values) for key, values in totals.items()]
    order = {"alarm": 0, "warn": 1, "ok": 2}
    return sorted(lists, key=lambda item: (order[item.level], item.list_key))


def overview() -> OverviewPart | None:
    """An alarm on the staff overview when a list's complaints or hard bounces pass a threshold."""
    troubled = [item for item in list_health() if item.level != "ok"]
    if not troubled:
        return None
    return OverviewPart("waiting", "web/bounces/_overview.html", {"troubled": troubled}, order=31)
