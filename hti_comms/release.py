"""Release rules asked before anything leaves the system: checks on authored content, holds on sends, refusals
of single recipients.

Domains declare them (`Domain.content_checks`, `Domain.release_guards`, `Domain.recipient_guards`); the callers —
a newsletter's pre-send checks, the delivery worker when it claims a send's rows — ask here without knowing who
answers. The publication domain uses all three to keep a year's figures under embargo until their publication,
and its municipalities' own results for the people entitled to them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .checks import Finding
from .clock import ClockNotTrusted
from .domain import registry


@dataclass(frozen=True)
class Content:
    """Authored content about to be sent or published, as its readers will see it."""

    #: Everything a reader sees (subject, headings, body), as plain text.
    text: str
    #: When it goes out (UTC); for a page, when it becomes visible.
    send_at: datetime
    #: What kind of thing it is (a send kind such as "newsletter"), for messages and rules.
    kind: str = ""
    #: Who receives it: list keys or audience names, for rules that depend on the audience.
    audience: tuple[str, ...] = field(default_factory=tuple)
    #: (audience name, year) for every audience that chooses its recipients by a year's index results.
    result_selections: tuple[tuple[str, int], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Hold:
    """Why a send must wait, and until when if that is known (None: until something changes)."""

    reason: str
    until: datetime | None = None


@dataclass(frozen=True)
class CarriedResults:
    """Which index year's results a send carries (`Domain.owner_results`), and for whom."""

    year: int
    #: The one municipality whose results it carries (None: many, or a ranking).
    municipality_code: str | None = None
    #: It may go out under embargo (publication − 24 h until the publication), to that municipality's entitled
    #: contacts only.
    embargoed: bool = False


def carried_results(owner) -> CarriedResults | None:
    """Return which results a send of `owner` carries, as the owner's domain declares it (None: no results)."""
    results = registry().owner_results.get(owner.domain)
    return results(owner) if results is not None else None


@dataclass(frozen=True)
class Addressee:
    """One recipient of a send as the worker is about to send to them."""

    #: Lower-case, as stored in the outbox.
    email: str
    #: The subscribers domain's Contact.id when the sender knew it.
    contact_id: int | None = None


def check_content(content: Content) -> list[Finding]:
    """Return every finding of every domain's content checks."""
    findings: list[Finding] = []
    for check in registry().content_checks:
        findings.extend(check(content))
    return findings


class ManySendGuard:
    """A release guard that judges many sends at once: `judge(sends) -> [Hold | None, …]`, one answer per send in
    their order. The worker asks it once per claim for every running send (one query, not one per send); asked
    about one send (`send_hold`) it judges a list of one."""

    def __init__(self, judge: Callable[[Sequence], list[Hold | None]]):
        self.judge = judge

    def __call__(self, send) -> Hold | None:
        return self.judge([send])[0]


class ManyRecipientGuard:
    """A recipient guard that judges the claimed rows of many sends at once: `judge([(send, recipients), …]) ->
    [{Addressee: reason}, …]`, one answer per send in their order (one query per claim, not one per send)."""

    def __init__(self, judge: Callable[[Sequence[tuple[object, Sequence[Addressee]]]], list[dict[Addressee, str]]]):
        self.judge = judge

    def __call__(self, send, recipients: Sequence[Addressee]) -> dict[Addressee, str]:
        return self.judge([(send, recipients)])[0]


def send_hold(send) -> Hold | None:
    """Return the first hold any release guard puts on the send (a `delivery.sendview.SendView`: its owner, id and
    kind), or None when it may go out now."""
    for guard in registry().release_guards:
        try:
            hold = guard(send)
        except ClockNotTrusted as refusal:
            return Hold(str(refusal))  # a guard cannot tell the time reliably: the send waits
        if hold is not None:
            return hold
    return None


def send_holds(sends: Sequence) -> dict[int, Hold]:
    """Return {send id: first hold} for the sends (`SendView`s) some release guard holds back now.

    The worker asks this at every claim for every running send; a `ManySendGuard` answers for all of them at once,
    any other guard is asked send by send, exactly as `send_hold` asks it.
    """
    holds: dict[int, Hold] = {}
    for guard in registry().release_guards:
        waiting = [send for send in sends if send.id not in holds]
        if not waiting:
            break
        if isinstance(guard, ManySendGuard):
            try:
                answers = guard.judge(waiting)
            except ClockNotTrusted as refusal:
                answers = [Hold(str(refusal))] * len(waiting)
        else:
            answers = []
            for send in waiting:
                try:
                    answers.append(guard(send))
                except ClockNotTrusted as refusal:
                    answers.append(Hold(str(refusal)))
        for send, hold in zip(waiting, answers, strict=True):
            if hold is not None:
                holds[send.id] = hold
    return holds


def refused_recipients(send, recipients: Sequence[Addressee]) -> dict[Addressee, str]:
    """Return {recipient: reason} for the recipients of the send (a `SendView`) some recipient guard refuses now.

    A refused recipient is never sent to: the worker cancels their message with the reason, for staff to see.
    """
    refused: dict[Addressee, str] = {}
    for guard in registry().recipient_guards:
        for recipient, reason in guard(send, recipients).items():
            refused.setdefault(recipient, reason)
    return refused


def refused_recipients_of(asked: Sequence[tuple[object, Sequence[Addressee]]]) -> list[dict[Addressee, str]]:
    """Return, for each (send, recipients) of a claim in order, {recipient: reason} for those refused now.

    A `ManyRecipientGuard` answers for every send of the claim at once; any other guard is asked send by send.
    """
    refused: list[dict[Addressee, str]] = [{} for _ in asked]
    for guard in registry().recipient_guards:
        if isinstance(guard, ManyRecipientGuard):
            answers = guard.judge(asked)
        else:
            answers = [guard(send, recipients) for send, recipients in asked]
        for found, answer in zip(refused, answers, strict=True):
            for recipient, reason in answer.items():
                found.setdefault(recipient, reason)
    return refused


def has_recipient_guards() -> bool:
    return bool(registry().recipient_guards)
