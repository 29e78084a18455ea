"""The one clock of the application: timezone-aware UTC, movable for demos and tests."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
log = logging.getLogger(__name__)

#: Difference between the application's clock and the real clock. Zero unless HTI_FAKE_NOW is set
#: or a test has moved the clock; the clock keeps running from wherever it was set.
_offset = timedelta(0)


def _real_now() -> datetime:
    return datetime.now(timezone.utc)


def now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return _real_now() + _offset


def set_now(moment: datetime) -> None:
    """Move the clock so that it reads `moment` now and runs on from there."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _offset = moment - _real_now()


def reset() -> None:
    """Put the clock back to real time."""
    global _offset
    _offset = timedelta(0)


def configure_fake_now(value: str | None) -> None:
    """Start the clock at HTI_FAKE_NOW (ISO 8601 with offset) and warn loudly."""
    if not value:
        return
    set_now(datetime.fromisoformat(value))
    log.warning(
        "!!! HTI_FAKE_NOW is set: the application clock started at %s and is NOT the real time. "
        "Never use this in production. !!!",
        value,
    )


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
