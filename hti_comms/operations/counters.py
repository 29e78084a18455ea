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


def count_public_page(answered_by: str) -> None:
    public_pages().labels(answered_by=answered_by).inc()
