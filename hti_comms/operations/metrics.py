"""/metrics in Prometheus' text format, through the official client library.

Figures kept in the database (the outbox, sends, bounces, the scheduler's heartbeat) are read when Prometheus
asks, so every web process gives the same answer; the counts of public pages are each process's own (added up
over the gunicorn workers when PROMETHEUS_MULTIPROC_DIR is set).
"""
from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .. import clock
from ..delivery.stats import oldest_due_at, rows_by_state, sent_per_kind, suppressions_by_reason
from .checks import scheduler_heartbeat_age, sweep_durations, workers_seen
from .counters import public_pages


class DatabaseCollector:
    """Read the figures kept in the database at each scrape."""

    def collect(self):
        now = clock.now()
        rows = GaugeMetricFamily("hti_outbox_rows", "Outbox rows (one per message) by state", labels=["state"])
        for state, number in rows_by_state().items():
            rows.add_metric([state], number)
        yield rows
        sent = CounterMetricFamily("hti_messages_sent", "Messages sent, by kind of email (channel)", labels=["kind"])
        for kind, number in sorted(sent_per_kind().items()):
            sent.add_metric([kind], number)
        yield sent
        suppressed = GaugeMetricFamily("hti_suppressed_addresses",
                                       "Addresses that get no list mail, by reason (hard_bounce, complaint, …)",
                                       labels=["reason"])
        reasons = {"hard_bounce": 0, "complaint": 0, **suppressions_by_reason()}
        for reason, number in sorted(reasons.items()):
            suppressed.add_metric([reason], number)
        yield suppressed
        age = scheduler_heartbeat_age(now)
        heartbeat = GaugeMetricFamily("hti_scheduler_heartbeat_age_seconds",
                                      "Seconds since the scheduler's last heartbeat (absent: never heard from)")
        if age is not None:
            heartbeat.add_metric([], age)
        yield heartbeat
        durations = GaugeMetricFamily("hti_sweep_duration_seconds", "Seconds the scheduler's last run of each sweep "
                                      "took", labels=["sweep"])
        for name, seconds in sorted((sweep_durations() or {}).items()):
            durations.add_metric([name], seconds)
        yield durations
        oldest = oldest_due_at(now)
        yield GaugeMetricFamily("hti_outbox_oldest_due_age_seconds", "Seconds the oldest due outbox row has waited",
                                value=0.0 if oldest is None else max(0.0, (now - oldest).total_seconds()))
        yield GaugeMetricFamily("hti_send_workers_seen", "Send workers heard from in the last minute",
                                value=workers_seen(now))


def render() -> bytes:
    """Return the metrics page."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(public_pages())
    registry.register(DatabaseCollector())
    return generate_latest(registry)
