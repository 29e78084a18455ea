"""A year's cycle in time, and moving a date to the next year's cycle.

The cycle of index year Y runs from the spring before its publication (the basic course, the circular of late
October) to the winners' webcast a week or two after it: 150 days before the publication moment to 60 days after,
or, while no moment is set, 1 July of Y to 31 January of Y + 1.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .. import clock
from ..scheduling.localtime import stockholm_to_utc

BEFORE, AFTER = timedelta(days=150), timedelta(days=60)


def window(year: int, published_at: datetime | None) -> tuple[datetime, datetime]:
    """Return [start, end) of the year's cycle (UTC)."""
    if published_at is not None:
        return published_at - BEFORE, published_at + AFTER
    return stockholm_to_utc(datetime(year, 7, 1)), stockholm_to_utc(datetime(year + 1, 2, 1))


def same_weekday_next_year(day: date) -> date:
    """Return the same weekday of the same ISO week a year later: Thursday 7 November 2024 (week 45) → Thursday
    6 November 2025. Week 53 becomes week 52 in a year that has none."""
    iso_year, week, weekday = day.isocalendar()
    weeks = date(iso_year + 1, 12, 28).isocalendar()[1]  # 28 December is always in the year's last ISO week
    return date.fromisocalendar(iso_year + 1, min(week, weeks), weekday)


def moment_next_year(moment: datetime) -> datetime:
    """Return the same Stockholm wall-clock time on the same weekday of the corresponding week a year later."""
    local = clock.to_stockholm(moment)
    return stockholm_to_utc(datetime.combine(same_weekday_next_year(local.date()), time(local.hour, local.minute)))
