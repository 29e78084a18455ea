"""Counters kept in each web process: public results pages answered, and how many by the replay layer.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each start; see
deploy/) so that /metrics adds up every worker's counts; without it /metrics shows the answering worker's own.
"""
from __future__ import annotations

from prometheus_client import Counter

#: Not registered anywhere at import: /metrics builds its registry per request (see `metrics`).
PUBLIC_PAGES = Counter("hti_public_pages", "Public results pages answered, by who answered them "
                       "(replay: the layer in front of Flask, flask: Flask itself)", ["answered_by"], registry=None)


def count_public_page(answered_by: str) -> None:
    PUBLIC_PAGES.labels(answered_by=answered_by).inc()
