"""Release rules asked before anything leaves the system: checks on authored content, holds on sends, refusals
of single recipients.

Domains declare them (`Domain.content_checks`, `Domain.release_guards`, `Domain.recipient_guards`); the callers —
a newsletter's pre-send checks, the delivery worker when it claims a send's rows — ask here without knowing who
answers. The publication domain uses all three to keep a year's figures under embargo until their publication,
and its municipalities' own results for the people entitled to them.
"""
from __future__ import annotations

from collections.abc import Sequence
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


def refused_recipients(send, recipients: Sequence[Addressee]) -> dict[Addressee, str]:
    """Return {recipient: reason} for the recipients of the send (a `SendView`) some recipient guard refuses now.

    A refused recipient is never sent to: the worker cancels their message with the reason, for staff to see.
    """
    refused: dict[Addressee, str] = {}
    for guard in registry().recipient_guards:
        for recipient, reason in guard(send, recipients).items():
            refused.setdefault(recipient, reason)
    return refused


def has_recipient_guards() -> bool:
    return bool(registry().recipient_guards)
