"""Counters kept in each web process: public results pages answered, and how many by the replay layer.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each start; see
deploy/) so that /metrics adds up every worker's counts; without it /metrics shows the answering worker's own.
"""
from __future__ import annotations

from functools import cache


@cache
def public_pages():
    """Return the counter of public pages, made on first use (prometheus_client is not loaded at start-up)."""
    from prometheus_client import Counter

    # Not registered anywhere: /metrics builds its registry per request (see `metrics`).
    return Counter("hti_public_pages", "Public results pages answered, by who answered them "
                   "(replay: the layer in front of Flask, flask: Flask itself)", ["answered_by"], registry=None)


#: The counter of each label, looked up once (`labels()` cost more than the replay layer's own work per answer).
_PUBLIC_PAGES_BY: dict[str, object] = {}


def count_public_page(answered_by: str) -> None:
    counter = _PUBLIC_PAGES_BY.get(answered_by)
    if counter is None:
        counter = _PUBLIC_PAGES_BY[answered_by] = public_pages().labels(answered_by=answered_by)
    counter.inc()
