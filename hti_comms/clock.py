"""The one clock of the application: timezone-aware UTC, the database server's time, movable for demos and tests.

Every process (web workers, send workers, the scheduler, commands) reads the time from here, and here it is
the database server's time as this process last measured it (`hti_comms.dbclock`): processes on machines whose
clocks disagree still agree on "published yet?" and "released yet?". Without a measurement (SQLite, whose file
has no clock of its own, or before the first one) it is this machine's clock.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
log = logging.getLogger(__name__)

#: Difference between the application's clock and the real (database) time. Zero unless HTI_FAKE_NOW is set
#: or a test has moved the clock; the clock keeps running from wherever it was set.
_offset = timedelta(0)
#: HTI_FAKE_NOW, applied at the first reading (so that it moves the database's time, measured then).
_pending_fake_now: datetime | None = None
#: Test-only (HTI_CLOCK_SKEW_SECONDS): how wrong this process's own system clock is made to be.
_skew = timedelta(0)
#: Tests only (`stop_at`): the moment the clock reads until it is moved again; None while it runs.
_stopped_at: datetime | None = None


class ClockNotTrusted(RuntimeError):
    """The database server's time could not be measured recently: embargo decisions wait (Swedish message)."""


class Reference(Protocol):
    """Where the real time comes from when it is not this machine's clock (see `hti_comms.dbclock`)."""

    def now(self) -> datetime | None: ...

    def require_trust(self) -> None: ...


_reference: Reference | None = None


def system_now() -> datetime:
    """Return this machine's own clock (what the process would believe without the database's time)."""
    return datetime.now(timezone.utc) + _skew


def _real_now() -> datetime:
    reference = _reference
    if reference is not None:
        moment = reference.now()
        if moment is not None:
            return moment
    return system_now()


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    global _pending_fake_now
    if _pending_fake_now is not None:
        moment, _pending_fake_now = _pending_fake_now, None
        set_now(moment)
    if _stopped_at is not None:
        return _stopped_at
    return _real_now() + _offset


def trusted_now() -> datetime:
    """Return now() for a decision that must not be early (the embargo), or raise ClockNotTrusted when the
    database's time has not been measured recently enough to rely on."""
    reference = _reference
    if reference is not None:
        reference.require_trust()
    return now()


def set_now(moment: datetime) -> None:
    """Move the clock so that it reads `moment` now and runs on from there."""
    global _offset, _stopped_at
    if moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _stopped_at = None
    _offset = moment - _real_now()


def stop_at(moment: datetime) -> None:
    """Make the clock read exactly `moment` until it is moved again (tests of an exact instant: one second
    before the embargo stays one second before, however slow the machine)."""
    global _stopped_at
    set_now(moment)
    _stopped_at = moment.astimezone(timezone.utc)


def reset() -> None:
    """Put the clock back to real time."""
    global _offset, _pending_fake_now, _stopped_at
    _offset = timedelta(0)
    _pending_fake_now = None
    _stopped_at = None


def use_reference(reference: Reference | None) -> None:
    """Take the real time from `reference` from now on (None: this machine's clock)."""
    global _reference
    _reference = reference


def reference() -> Reference | None:
    return _reference


def configure_fake_now(value: str | None) -> None:
    """Start the clock at HTI_FAKE_NOW (ISO 8601 with offset) at its first reading, and warn loudly."""
    global _pending_fake_now
    if not value:
        return
    _pending_fake_now = datetime.fromisoformat(value)
    log.warning(
        "!!! HTI_FAKE_NOW is set: the application clock started at %s and is NOT the real time. "
        "Never use this in production. !!!",
        value,
    )


def configure_skew(seconds: float) -> None:
    """Make this process's own clock `seconds` wrong (HTI_CLOCK_SKEW_SECONDS, tests only), and warn loudly."""
    global _skew
    _skew = timedelta(seconds=seconds)
    if seconds:
        log.warning("!!! HTI_CLOCK_SKEW_SECONDS is set: this process's own clock is %+g s wrong on purpose "
                    "(a test of clocks that disagree). Never use this in production. !!!", seconds)


def to_stockholm(moment: datetime) -> datetime:
    """Return `moment` converted to Europe/Stockholm for display."""
    if moment.tzinfo is None:
        # Naive values only come back from SQLite; they are UTC by construction.
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(STOCKHOLM)


def as_utc(moment: datetime) -> datetime:
    """Return an aware UTC datetime, treating naive values as UTC (as SQLite returns them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
