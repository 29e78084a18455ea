"""The one processor every way in feeds: read a returned message, decide, suppress, record; one transaction each."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..addresses import lookup_form
from ..delivery import returns
from ..delivery.services import suppress, withdraw_list_mail
from ..delivery.verp import Verp
from ..extensions import db
from .models import FOR_STAFF, BounceReport, ReportKind
from .parsing import Failure, Reading, parse_message

log = logging.getLogger(__name__)
#: Soft bounces within SOFT_WINDOW, on at least SOFT_DAYS different days, that suppress an address: a full
#: mailbox for a week is a dead mailbox, three greylisting delays in one afternoon are not.
SOFT_BOUNCES_TO_SUPPRESS = 3
SOFT_DAYS = 2
SOFT_WINDOW = timedelta(days=30)
#: The most bytes of a message kept for staff to look at.
KEPT_BYTES = 200_000


@dataclass(frozen=True)
class Processed:
    """What was understood and done about one message."""

    kind: ReportKind
    email: str | None
    status: str | None
    outcome: str
    duplicate: bool = False

    def line(self) -> str:
        """Return the one line `hti bounces receive` prints for the message."""
        parts = [self.kind.value, self.email or "-", self.status or "-"]
        text = " ".join(parts) + f" — {self.kind.label.lower()}: {self.outcome}"
        return text + (" (redan behandlat)" if self.duplicate else "")


def process(raw: bytes, *, source: str, envelope_to: tuple[str, ...] | list[str] = ()) -> Processed:
    """Read one message that came back and act on it; commit. The same message twice is acted on once."""
    digest = hashlib.sha256(raw).hexdigest()
    known = db.session.scalar(select(BounceReport).where(BounceReport.digest == digest))
    if known is not None:
        return Processed(known.kind, known.email, known.status, known.outcome, duplicate=True)
    reading = parse_message(raw, envelope_to)
    now = clock.now()
    reported_at = min(reading.reported_at or now, now)
    report = BounceReport(digest=digest, source=source, subject=reading.subject, sender=reading.sender,
                          received_at=now, reported_at=reported_at, outcome="")
    _decide(report, reading)
    if report.kind in FOR_STAFF:
        report.raw = raw[:KEPT_BYTES]
        report.outcome = report.outcome or "inget gjort; sparat för personalen"
        # A forged or unverifiable report may be someone trying to unsubscribe a real person: logged as a warning.
        level = logging.INFO if report.kind in (ReportKind.AUTO_REPLY, ReportKind.NOT_UNDERSTOOD) else logging.WARNING
        log.log(level, "returned message kept for staff (%s): %s from %s", report.kind.value, reading.subject,
                reading.sender)
    db.session.add(report)
    try:
        db.session.flush()
        _act(report, reading)
        db.session.commit()
    except IntegrityError:  # the same message, processed by another way in at the same moment
        db.session.rollback()
        known = db.session.scalar(select(BounceReport).where(BounceReport.digest == digest))
        if known is None:
            raise
        return Processed(known.kind, known.email, known.status, known.outcome, duplicate=True)
    return Processed(report.kind, report.email, report.status, report.outcome)


def _decide(report: BounceReport, reading: Reading) -> None:
    """Set the report's kind, address and status from what the message says and whom its token names."""
    verp = Verp.from_config(current_app.config)
    tokens = reading.tokens(verp.local_part, verp.domain)
    genuine = [outbox_id for outbox_id in (verp.outbox_id(token) for token in tokens) if outbox_id is not None]
    row = returns.sent_to(genuine[0]) if genuine else None
    if row is not None:
        report.email, report.outbox_id, report.send_id, report.list_key = (row.email, row.outbox_id, row.send_id,
                                                                           row.list_key)
    failure = _main_failure(reading)
    if failure is not None:
        report.status = (failure.status or None) and failure.status[:40]
        report.detail = failure.diagnostic or None
    if reading.form == "auto_reply":
        report.kind = ReportKind.AUTO_REPLY
    elif reading.form == "unknown":
        report.kind = ReportKind.NOT_UNDERSTOOD
    elif tokens and not genuine:
        report.kind = ReportKind.FORGED
        report.email = failure.email if failure else None
        report.outcome = "koden i adressen är inte vår: inget gjort"
    elif genuine and row is None:
        report.kind = ReportKind.UNKNOWN_RECIPIENT
        report.outcome = "brevet finns inte (aldrig skickat eller raderat): inget gjort"
    elif row is None:
        named = failure.email if failure else None
        report.email = named
        if named and returns.ever_sent_to(named):
            report.kind = ReportKind.NO_TOKEN
            report.outcome = "saknar vår kod, så det kan inte kontrolleras: inget gjort"
        else:
            report.kind = ReportKind.UNKNOWN_RECIPIENT
            report.outcome = "om en adress vi inte har skickat till: inget gjort"
    elif reading.form == "complaint":
        report.kind = ReportKind.COMPLAINT
    elif failure is None or not failure.is_failure:
        report.kind = ReportKind.NOTICE
        report.outcome = "inget fel: inget gjort"
    else:
        report.kind = ReportKind.HARD_BOUNCE if failure.is_permanent else ReportKind.SOFT_BOUNCE


def _main_failure(reading: Reading) -> Failure | None:
    """Return the failure that counts: a permanent one first, then any failure, then whatever the report says."""
    failures = reading.failures
    return (next((f for f in failures if f.is_failure and f.is_permanent), None)
            or next((f for f in failures if f.is_failure), None) or next(iter(failures), None))


def _act(report: BounceReport, reading: Reading) -> None:
    if report.kind is ReportKind.HARD_BOUNCE:
        suppress(report.email, "hard_bounce", " ".join(filter(None, (report.status, report.detail))) or None)
        report.outcome = "spärrad: adressen tar inte emot e-post"
    elif report.kind is ReportKind.SOFT_BOUNCE:
        count, days = soft_bounces(report.email, report.reported_at)
        if count >= SOFT_BOUNCES_TO_SUPPRESS and days >= SOFT_DAYS:
            suppress(report.email, "soft_bounces", f"{count} tillfälliga fel på {days} dagar, senast "
                                                   f"{report.status or ''} {report.detail or ''}".strip())
            report.outcome = f"spärrad efter {count} tillfälliga fel på {days} olika dagar"
        else:
            report.outcome = f"räknad ({count} av {SOFT_BOUNCES_TO_SUPPRESS} inom 30 dagar)"
    elif report.kind is ReportKind.COMPLAINT:
        _complaint(report)


def _complaint(report: BounceReport) -> None:
    """Unsubscribe from every list, suppress, and note it in the consent history with the report's date."""
    from ..subscribers.models import ConsentAction, ConsentSource, ContactStatus
    from ..subscribers.services import change_status, find_contact, record

    contact = find_contact(report.email)
    if contact is not None:
        contact.subscriptions.clear()
        if contact.status is not ContactStatus.UNSUBSCRIBED:
            change_status(contact, ContactStatus.UNSUBSCRIBED)
        event = record(contact, ConsentAction.UNSUBSCRIBED, ConsentSource.FEEDBACK_REPORT,
                       actor=f"Anmälan från {report.sender or 'e-postleverantör'}")
        event.created_at = report.reported_at
    withdraw_list_mail(report.email, None)
    suppress(report.email, "complaint", f"Anmält som skräppost ({report.status or 'abuse'}) hos "
                                        f"{report.sender or 'e-postleverantören'}")
    report.outcome = "avregistrerad från alla listor och spärrad"


def soft_bounces(email: str, until: datetime) -> tuple[int, int]:
    """Return how many soft bounces the address had in the 30 days up to `until`, and on how many days."""
    moments = list(db.session.scalars(select(BounceReport.reported_at).where(
        BounceReport.email == lookup_form(email), BounceReport.kind == ReportKind.SOFT_BOUNCE,
        BounceReport.reported_at > until - SOFT_WINDOW, BounceReport.reported_at <= until)))
    return len(moments), len({clock.to_stockholm(moment).date() for moment in moments})


def reports_for(email: str) -> list[BounceReport]:
    """Return every bounce and complaint about the address, newest first."""
    return list(db.session.scalars(select(BounceReport).where(BounceReport.email == lookup_form(email))
                                   .order_by(BounceReport.reported_at.desc(), BounceReport.id.desc())))


def count_for_staff() -> int:
    return db.session.scalar(select(func.count()).select_from(BounceReport).where(
        BounceReport.kind.in_(FOR_STAFF))) or 0
