"""The one owner of Stockholm wall-clock input: the text staff type, the UTC instant we store, the note they see.

The rule for the two daylight-saving changes (last Sunday of March and of October):
- A time that does not exist (02:00–02:59 on the last Sunday of March, when clocks jump from 02:00 to
  03:00) is moved forward by the hour that is skipped: 02:30 means 03:30 summer time (01:30 UTC).
- A time that exists twice (02:00–02:59 on the last Sunday of October, when clocks go back from 03:00 to
  02:00) means the first time it occurs, still summer time: 02:30 means 02:30 CEST (00:30 UTC).
Either way the send gets one UTC instant and is sent once; `dst_note` is the one Swedish text that says so.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timezone

from ..clock import STOCKHOLM
from ..formatting import format_datetime

#: "YYYY-MM-DD HH:MM" (also "T" between date and time, "." between hour and minute, a one-digit hour).
_WALL_CLOCK = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2})[:.](\d{2}))?\s*$")


def read_wall_clock(text: str | None, *, default_time: time | None = None) -> datetime | None:
    """Return the naive Stockholm wall-clock time typed as "YYYY-MM-DD HH:MM", or None if it has another shape.

    A date alone is read only when `default_time` is given. A date or time no calendar has (2025-02-30, 25:00)
    raises ValueError, so callers can say which mistake it was.
    """
    match = _WALL_CLOCK.match(text or "")
    if not match:
        return None
    year, month, day, hour, minute = match.groups()
    if hour is None:
        if default_time is None:
            return None
        return datetime.combine(datetime(int(year), int(month), int(day)).date(), default_time)
    return datetime(int(year), int(month), int(day), int(hour), int(minute))


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


def dst_note(local: datetime, consequence: str, *, label: str | None = None) -> str:
    """Return the Swedish note on which instant a skipped or repeated time means ("" for any other time).

    `consequence` starts the sentence that says what happens then ("Provbrevet skickas", "Det gäller"); with a
    `label` the note starts with the field's name ("Start: klockslaget …").
    """
    when = format_datetime(stockholm_to_utc(local))
    if is_skipped(local):
        note = (f"Klockslaget {local:%H.%M} finns inte den dagen (klockan ställs fram en timme). "
                f"{consequence} {when}.")
    elif is_repeated(local):
        note = (f"Klockslaget {local:%H.%M} inträffar två gånger den dagen (klockan ställs tillbaka). "
                f"{consequence} den första gången, {when} sommartid.")
    else:
        return ""
    return f"{label}: {note[0].lower()}{note[1:]}" if label else note
