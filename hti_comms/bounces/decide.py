"""Deciding what a returned message is: from what it says (`parsing`) and whom its VERP token names."""
from __future__ import annotations

from dataclasses import dataclass

from ..delivery.returns import SentTo
from .models import ReportKind
from .parsing import Failure, Reading


@dataclass
class Decision:
    kind: ReportKind
    email: str | None = None
    row: SentTo | None = None
    status: str | None = None
    detail: str | None = None
    #: Set when nothing more is done (Swedish); acting on the others sets it.
    outcome: str = ""


def main_failure(reading: Reading) -> Failure | None:
    """Return the failure that counts: a permanent one first, then any failure, then whatever the report says."""
    failures = reading.failures
    return (next((f for f in failures if f.is_failure and f.is_permanent), None)
            or next((f for f in failures if f.is_failure), None) or next(iter(failures), None))


def decide(reading: Reading, tokens: list[str], genuine: list[int], row: SentTo | None, ever_sent_to) -> Decision:
    """Return what the message is. `tokens`: the VERP tokens found in it; `genuine`: the outbox ids of those
    whose signature verifies; `row`: the outbox row of the first genuine one (None if it does not exist);
    `ever_sent_to(email)`: whether we ever sent to an address (asked only for a report without a token)."""
    failure = main_failure(reading)
    decision = Decision(kind=ReportKind.NOT_UNDERSTOOD, email=row.email if row else None, row=row)
    if failure is not None:
        decision.status = failure.status[:40] if failure.status else None
        decision.detail = failure.diagnostic or None
    if reading.form == "auto_reply":
        decision.kind = ReportKind.AUTO_REPLY
    elif reading.form == "unknown":
        decision.kind = ReportKind.NOT_UNDERSTOOD
    elif tokens and not genuine:
        decision.kind, decision.email = ReportKind.FORGED, failure.email if failure else None
        decision.outcome = "koden i adressen är inte vår: inget gjort"
    elif genuine and row is None:
        decision.kind = ReportKind.UNKNOWN_RECIPIENT
        decision.outcome = "brevet finns inte (aldrig skickat eller raderat): inget gjort"
    elif row is None:
        decision.email = failure.email if failure else None
        if decision.email and ever_sent_to(decision.email):
            decision.kind = ReportKind.NO_TOKEN
            decision.outcome = "inget gjort (vem som helst kan skriva ett sådant brev)"
        else:
            decision.kind = ReportKind.UNKNOWN_RECIPIENT
            decision.outcome = "inget gjort"
    elif reading.form == "complaint":
        decision.kind = ReportKind.COMPLAINT
    elif failure is None or not failure.is_failure:
        decision.kind = ReportKind.NOTICE
        decision.outcome = "inget fel: inget gjort"
    else:
        decision.kind = ReportKind.HARD_BOUNCE if failure.is_permanent else ReportKind.SOFT_BOUNCE
    return decision
