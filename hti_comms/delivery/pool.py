"""The sending side of the worker: threads that each own one persistent SMTP connection."""
from __future__ import annotations

import logging
import queue
import sys
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

from .. import clock
from .mime import MessageSkeleton
from .render import RenderedTemplate, recipient_values
from .smtp import Delivery, Outcome, SmtpConnection, SmtpSettings

log = logging.getLogger(__name__)
#: Threads wake up from socket waits thousands of times a second; with the default 5 ms switch interval
#: each wake-up can wait that long for the interpreter lock while another thread computes.
SWITCH_INTERVAL = 0.001


@dataclass
class WorkerSettings:
    pool_size: int = 4
    rate_per_second: float = 0.0
    batch_size: int = 200
    lease_seconds: int = 300
    retry_base_seconds: int = 60
    retry_max_seconds: int = 6 * 3600
    max_attempts: int = 8
    poll_seconds: float = 1.0
    smtp: SmtpSettings = field(default=None)  # type: ignore[assignment]

    @classmethod
    def from_config(cls, config) -> WorkerSettings:
        return cls(pool_size=config["SMTP_POOL_SIZE"], rate_per_second=config["SMTP_RATE_PER_SECOND"],
                   batch_size=config["SEND_BATCH_SIZE"], lease_seconds=config["SEND_LEASE_SECONDS"],
                   retry_base_seconds=config["SEND_RETRY_BASE_SECONDS"], max_attempts=config["SEND_MAX_ATTEMPTS"],
                   smtp=SmtpSettings.from_config(config))


@dataclass(frozen=True)
class PreparedSend:
    """A send rendered once: the template with placeholders and the encoded message skeleton."""

    rendered: RenderedTemplate
    skeleton: MessageSkeleton
    list_key: str | None


@dataclass(frozen=True)
class Job:
    outbox_id: int
    email: str
    name: str
    fields: dict
    attempts: int
    prepared: PreparedSend
    link_key: str | None = None


@dataclass(frozen=True)
class Result:
    job: Job
    delivery: Delivery


class RateLimiter:
    """At most `rate` messages per second across all connections (0 = no limit)."""

    def __init__(self, rate: float, monotonic=time.monotonic, sleep=time.sleep):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = monotonic()
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when the next message may go (each caller gets its own slot)."""
        if not self.interval:
            return
        with self._lock:
            moment = max(self._next, self._monotonic())
            self._next = moment + self.interval
        delay = moment - self._monotonic()
        if delay > 0:
            self._sleep(delay)


def _signer(app: Flask):
    from .dkim import signer_from_config

    return signer_from_config(app.config)


class SenderPool:
    """Threads that each own one persistent SMTP connection and turn jobs into results."""

    def __init__(self, app: Flask, settings: WorkerSettings):
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.app = app
        self.settings = settings
        self.jobs: queue.Queue[Job | None] = queue.Queue()
        self.results: queue.Queue[Result] = queue.Queue()
        self.limiter = RateLimiter(settings.rate_per_second)
        self.sign = _signer(app)
        self.threads = [threading.Thread(target=self._run, name=f"smtp-{n}", daemon=True)
                        for n in range(max(1, settings.pool_size))]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        connection = SmtpConnection(self.settings.smtp)
        with self.app.app_context():  # the links in emails are signed with the app's secret key
            while True:
                job = self.jobs.get()
                if job is None:
                    break
                try:
                    delivery = self._deliver(connection, job)
                except Exception as exc:  # a bug in building one message must not stop the pool
                    log.exception("could not build outbox message %s", job.outbox_id)
                    delivery = Delivery(Outcome.DEFERRED, f"Internt fel: {exc!r}")
                self.results.put(Result(job, delivery))
        connection.close()

    def _deliver(self, connection: SmtpConnection, job: Job) -> Delivery:
        prepared = job.prepared
        keys = prepared.rendered.keys | prepared.skeleton.keys
        if prepared.list_key is not None:
            keys = keys | {"unsubscribe_url"}
        values = recipient_values(keys, email=job.email, name=job.name, fields=job.fields,
                                  list_key=prepared.list_key, link_key=job.link_key)
        html, text = prepared.rendered.fill(values)
        message = prepared.skeleton.build(outbox_id=job.outbox_id, email=job.email, name=job.name, html=html,
                                          text=text, unsubscribe_url=values.get("unsubscribe_url"),
                                          date=clock.now(), values=values)
        if self.sign is not None:
            message = self.sign(message)
        self.limiter.wait()
        return connection.send(prepared.skeleton.envelope_from, job.email, message)

    def close(self) -> None:
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
