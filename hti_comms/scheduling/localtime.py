"""Turning a Stockholm wall-clock time that staff type into the UTC instant we store.

The rule for the two daylight-saving changes (last Sunday of March and of October):
- A time that does not exist (02:00–02:59 on the last Sunday of March, when clocks jump from 02:00 to
  03:00) is moved forward by the hour that is skipped: 02:30 means 03:30 summer time (01:30 UTC).
- A time that exists twice (02:00–02:59 on the last Sunday of October, when clocks go back from 03:00 to
  02:00) means the first time it occurs, still summer time: 02:30 means 02:30 CEST (00:30 UTC).
Either way the send gets one UTC instant and is sent once.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ..clock import STOCKHOLM


def stockholm_to_utc(local: datetime) -> datetime:
    """Return the UTC instant of a naive Stockholm wall-clock time, by the rule in this module's docstring."""
    if local.tzinfo is not None:
        raise ValueError("stockholm_to_utc takes a naive wall-clock time")
    # fold=0: the earlier offset. For a repeated time that is the first occurrence; for a skipped time
    # zoneinfo applies the offset from before the jump, which lands exactly one gap later on the clock.
    return local.replace(tzinfo=STOCKHOLM, fold=0).astimezone(timezone.utc)


def is_skipped(local: datetime) -> bool:
    """Return whether this Stockholm wall-clock time does not exist (spring forward)."""
    back = stockholm_to_utc(local).astimezone(STOCKHOLM).replace(tzinfo=None)
    return back != local


def is_repeated(local: datetime) -> bool:
    """Return whether this Stockholm wall-clock time happens twice (fall back)."""
    first = local.replace(tzinfo=STOCKHOLM, fold=0).utcoffset()
    second = local.replace(tzinfo=STOCKHOLM, fold=1).utcoffset()
    return first != second and not is_skipped(local)
