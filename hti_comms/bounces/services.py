"""The one processor every way in feeds: read returned messages, decide, suppress, record.

Messages are processed in batches, each batch one transaction: a pipe delivering one message is a batch of
one; `hti bounces receive` with many files and the bounce inbox under load write hundreds per commit.
"""
from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..addresses import lookup_form
from ..delivery import returns
from ..delivery.verp import Verp
from ..extensions import db
from ..subscribers.services import leave_everything_after_complaints
from .incoming import Incoming
from .models import FOR_STAFF, BounceReport, ReportKind

if TYPE_CHECKING:
    from .decide import Decision

log = logging.getLogger(__name__)
#: Soft bounces within SOFT_WINDOW, on at least SOFT_DAYS different days, that suppress an address: a full
#: mailbox for a week is a dead mailbox, three greylisting delays in one afternoon are not.
SOFT_BOUNCES_TO_SUPPRESS = 3
SOFT_DAYS = 2
SOFT_WINDOW = timedelta(days=30)
#: The most bytes of a message kept for staff to look at.
KEPT_BYTES = 200_000
#: Messages per transaction.
BATCH = 500


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
        text = f"{self.kind.value} {self.email or '-'} {self.status or '-'} — {self.kind.label.lower()}: {self.outcome}"
        return text + (" (redan behandlat)" if self.duplicate else "")


def process(raw: bytes, *, source: str, envelope_to: Sequence[str] = ()) -> Processed:
    """Read one message that came back and act on it; commit. The same message twice is acted on once."""
    return process_many([Incoming(raw, tuple(envelope_to))], source=source)[0]


def process_many(messages: Sequence[Incoming], *, source: str) -> list[Processed]:
    """Process messages in order, committing every BATCH; return what was done about each."""
    results: list[Processed] = []
    for start in range(0, len(messages), BATCH):
        chunk = messages[start:start + BATCH]
        try:
            results.extend(_batch(chunk, source))
        except IntegrityError:  # the same message, processed by another way in at the same moment
            db.session.rollback()
            if len(chunk) == 1:
                results.extend(_batch(chunk, source))  # now seen as the duplicate it is
            else:
                for message in chunk:
                    results.extend(process_many([message], source=source))
    return results


def _batch(messages: Sequence[Incoming], source: str) -> list[Processed]:
    # Reading and deciding (with the email package's header parsers) are imported by the processes that receive
    # returns; the staff pages that only count them import this module too, and every process builds the app.
    from .decide import decide
    from .parsing import parse_message

    now = clock.now()
    verp = Verp.from_config(current_app.config)
    digests = [hashlib.sha256(m.raw).hexdigest() for m in messages]
    known = {r.digest: Processed(r.kind, r.email, r.status, r.outcome, duplicate=True)
             for r in db.session.scalars(select(BounceReport).where(BounceReport.digest.in_(set(digests))))}
    readings, found, seen = {}, {}, set()
    for index, (message, digest) in enumerate(zip(messages, digests)):
        if digest in known or digest in seen:
            continue
        seen.add(digest)
        reading = parse_message(message.raw, message.envelope_to)
        tokens = reading.tokens(verp.local_part, verp.domain)
        found[index] = (reading, tokens, [i for i in (verp.outbox_id(t) for t in tokens) if i is not None])
        readings[index] = digest
    rows = returns.sent_to_many(genuine[0] for _r, _t, genuine in found.values() if genuine)
    reports, decisions, results = [], {}, {}
    for index, (reading, tokens, genuine) in found.items():
        decision = decide(reading, tokens, genuine, rows.get(genuine[0]) if genuine else None, returns.ever_sent_to)
        decisions[index] = decision
        reports.append(_report_row(messages[index], readings[index], reading, decision, source, now))
    _act(reports, decisions, now)
    if reports:
        db.session.execute(insert(BounceReport.__table__), reports)
    for index, report in zip(found, reports):
        results[index] = Processed(report["kind"], report["email"], report["status"], report["outcome"])
    db.session.commit()
    first = {digest: index for index, digest in readings.items()}
    return [known.get(digest) or (results[index] if index in results else
                                  _again(results[first[digest]]))
            for index, digest in enumerate(digests)]


def _again(processed: Processed) -> Processed:
    return Processed(processed.kind, processed.email, processed.status, processed.outcome, duplicate=True)


def _report_row(message: Incoming, digest: str, reading, decision: Decision, source: str, now: datetime) -> dict:
    kept = decision.kind in FOR_STAFF
    if kept:
        # A forged or unverifiable report may be someone trying to unsubscribe a real person: a warning.
        level = logging.INFO if decision.kind in (ReportKind.AUTO_REPLY, ReportKind.NOT_UNDERSTOOD) else logging.WARNING
        log.log(level, "returned message kept for staff (%s): %s from %s", decision.kind.value, reading.subject,
                reading.sender)
    row = decision.row
    return {
        "digest": digest, "kind": decision.kind, "email": decision.email, "status": decision.status,
        "detail": decision.detail, "source": source, "subject": reading.subject, "sender": reading.sender,
        "outbox_id": row.outbox_id if row else None, "send_id": row.send_id if row else None,
        "list_key": row.list_key if row else None, "received_at": now,
        "reported_at": min(reading.reported_at or now, now), "raw": message.raw[:KEPT_BYTES] if kept else None,
        "outcome": decision.outcome or ("inget gjort; sparat för personalen" if kept else ""),
    }


def _act(reports: list[dict], decisions: dict[int, Decision], now: datetime) -> None:
    """Suppress hard bounces, count soft ones, unsubscribe complainers (fills each report's outcome).

    The whole batch is acted on in a few statements (one suppression insert, one look-up of contacts, one
    withdrawal of queued list mail); an address reported twice keeps the reason of its first report, as when
    the reports came one at a time."""
    to_suppress: dict[str, tuple[str, str | None]] = {}
    complaints: list[tuple[str, datetime, str]] = []
    soft_reports = [r for r in reports if r["kind"] is ReportKind.SOFT_BOUNCE]
    earlier = _soft_moments({r["email"] for r in soft_reports}, min((r["reported_at"] for r in soft_reports),
                                                                     default=now))
    for report in reports:
        kind, email = report["kind"], report["email"]
        if kind is ReportKind.HARD_BOUNCE:
            to_suppress.setdefault(email, ("hard_bounce", " ".join(filter(None, (report["status"],
                                                                                   report["detail"]))) or None))
            report["outcome"] = "spärrad: adressen tar inte emot e-post"
        elif kind is ReportKind.SOFT_BOUNCE:
            earlier[email].append(report["reported_at"])
            count, days = _within_window(earlier[email], report["reported_at"])
            if count >= SOFT_BOUNCES_TO_SUPPRESS and days >= SOFT_DAYS:
                to_suppress.setdefault(email, ("soft_bounces", f"{count} tillfälliga fel på {days} dagar, senast "
                                               f"{report['status'] or ''} {report['detail'] or ''}".strip()))
                report["outcome"] = f"spärrad efter {count} tillfälliga fel på {days} olika dagar"
            else:
                report["outcome"] = f"räknad ({count} av {SOFT_BOUNCES_TO_SUPPRESS} inom 30 dagar)"
        elif kind is ReportKind.COMPLAINT:
            complaints.append((email, report["reported_at"], f"Anmälan från {report['sender'] or 'e-postleverantör'}"))
            to_suppress.setdefault(email, ("complaint", f"Anmält som skräppost ({report['status'] or 'abuse'}) hos "
                                                        f"{report['sender'] or 'e-postleverantören'}"))
            report["outcome"] = "avregistrerad från alla listor och spärrad"
    if complaints:
        leave_everything_after_complaints(complaints)
        returns.withdraw_all_list_mail(email for email, _moment, _actor in complaints)
    if to_suppress:
        returns.suppress_many(to_suppress, now)


def _soft_moments(emails: set[str], since: datetime) -> defaultdict[str, list[datetime]]:
    moments: defaultdict[str, list[datetime]] = defaultdict(list)
    emails = sorted(e for e in emails if e)
    for start in range(0, len(emails), 900):
        for email, moment in db.session.execute(select(BounceReport.email, BounceReport.reported_at).where(
                BounceReport.email.in_(emails[start:start + 900]), BounceReport.kind == ReportKind.SOFT_BOUNCE,
                BounceReport.reported_at > since - SOFT_WINDOW)):
            moments[email].append(clock.as_utc(moment))
    return moments


def _within_window(moments: list[datetime], until: datetime) -> tuple[int, int]:
    inside = [m for m in moments if until - SOFT_WINDOW < m <= until]
    return len(inside), len({clock.to_stockholm(m).date() for m in inside})


def soft_bounces(email: str, until: datetime) -> tuple[int, int]:
    """Return how many soft bounces the address had in the 30 days up to `until`, and on how many days."""
    moments = [clock.as_utc(m) for m in db.session.scalars(select(BounceReport.reported_at).where(
        BounceReport.email == lookup_form(email), BounceReport.kind == ReportKind.SOFT_BOUNCE,
        BounceReport.reported_at > until - SOFT_WINDOW))]
    return _within_window(moments, until)


def reports_for(email: str) -> list[BounceReport]:
    """Return every bounce and complaint about the address, newest first."""
    return list(db.session.scalars(select(BounceReport).where(BounceReport.email == lookup_form(email))
                                   .order_by(BounceReport.reported_at.desc(), BounceReport.id.desc())))


def count_for_staff() -> int:
    return db.session.scalar(select(func.count()).select_from(BounceReport).where(
        BounceReport.kind.in_(FOR_STAFF))) or 0


def keep_unprocessed(raws: Sequence[bytes], *, source: str, why: str) -> None:
    """Keep messages that could not be processed at all for staff (as not understood, with why); commit.

    For what the bounce inbox accepted but cannot hand to the processor (a damaged spool file, a message the
    processor fails on): it must neither block the messages after it nor be dropped."""
    now = clock.now()
    rows = {hashlib.sha256(raw).hexdigest(): raw for raw in raws}
    known = set(db.session.scalars(select(BounceReport.digest).where(BounceReport.digest.in_(list(rows)))))
    for digest, raw in rows.items():
        if digest in known:
            continue
        log.error("returned message kept for staff unprocessed: %s", why)
        db.session.execute(insert(BounceReport.__table__), [{
            "digest": digest, "kind": ReportKind.NOT_UNDERSTOOD, "email": None, "status": None, "detail": why,
            "source": source, "subject": "", "sender": "", "outbox_id": None, "send_id": None, "list_key": None,
            "received_at": now, "reported_at": now, "raw": raw[:KEPT_BYTES],
            "outcome": "inget gjort; sparat för personalen"}])
    db.session.commit()
