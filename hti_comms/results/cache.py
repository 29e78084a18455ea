"""One ranking computation per year and data version, kept in the process's memory.

Computing a year's ranking reads 290 rows of the year and 290 of the year before and derives every rank and
average (tens of milliseconds); the public pages would do it on every request. Each process keeps the last
computation of each year with the version it was made from (`PublicationState.ranking_version`: the year's
and the previous year's `data_version`, which every import renews). A re-import in any process (the web
worker that took the upload, `hti import-results`) changes the version in the database, so every worker
computes again on its next request; nothing has to remember to invalidate anything.

The cache never decides what is public: callers ask `publication_state()` first, on every request.
"""
from __future__ import annotations

import threading

from flask import current_app

from .publication import PublicationState
from .ranking import YearRanking, compute_ranking

_lock = threading.Lock()


def _store() -> dict[int, tuple[tuple, YearRanking]]:
    # Per app, not per module: tests build many apps on several databases in one process.
    return current_app.extensions.setdefault("hti_ranking_cache", {})


def cached_ranking(year: int, state: PublicationState) -> YearRanking | None:
    """Return the ranking of `year` computed once per data version, or None when the year has no results."""
    if year not in state.years:
        return None
    version = (state.ranking_version(year), state.years[year].published_at)
    store = _store()
    kept = store.get(year)
    if kept is not None and kept[0] == version:
        return kept[1]
    ranking = compute_ranking(year)
    if ranking is None:
        return None
    with _lock:
        store[year] = (version, ranking)
    return ranking


def forget(year: int | None = None) -> None:
    """Drop this process's kept ranking of `year` (every year when None); other processes notice the version."""
    store = _store()
    with _lock:
        if year is None:
            store.clear()
        else:
            store.pop(year, None)
            store.pop(year + 1, None)  # its change figures compare with this year
