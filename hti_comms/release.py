"""Release rules asked before anything leaves the system: checks on authored content, holds on sends.

Domains declare them (`Domain.content_checks`, `Domain.release_guards`); the callers — a newsletter's
pre-send checks, the delivery worker before it claims a send's rows — ask here without knowing who answers.
The publication domain uses both to keep a year's figures under embargo until their publication.
"""
from __future__ import annotations

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


@dataclass(frozen=True)
class Hold:
    """Why a send must wait, and until when if that is known (None: until something changes)."""

    reason: str
    until: datetime | None = None


def check_content(content: Content) -> list[Finding]:
    """Return every finding of every domain's content checks."""
    findings: list[Finding] = []
    for check in registry().content_checks:
        findings.extend(check(content))
    return findings


def send_hold(send) -> Hold | None:
    """Return the first hold any release guard puts on `send`, or None when it may go out now."""
    for guard in registry().release_guards:
        try:
            hold = guard(send)
        except ClockNotTrusted as refusal:
            return Hold(str(refusal))  # a guard cannot tell the time reliably: the send waits
        if hold is not None:
            return hold
    return None
