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
from .smtp import BuildFailed, Delivery, Fault, Outcome, SmtpConnection, SmtpSettings
from .verp import Verp

log = logging.getLogger(__name__)
#: Threads wake up from socket waits thousands of times a second; with the default 5 ms switch interval
#: each wake-up can wait that long for the interpreter lock while another thread computes.
SWITCH_INTERVAL = 0.001
#: Server faults (unreachable, connection closed, 421) in a row, with no message getting through in between,
#: that open the circuit breaker: the sends involved are paused instead of every row burning its attempts.
SERVER_FAULTS_TO_TRIP = 5
#: Messages in a row whose outcome is unknown (the connection was lost, or no reply came, after the final dot),
#: with no reply from the server in between, that pause the send: each one may have arrived or not, and staff
#: must decide about every one, so a relay that fails this way must not leave a whole send undecided.
UNKNOWNS_TO_TRIP = 3
#: Messages of one send in a row that could not be built before that send is paused (a bug, not a recipient).
BUILD_FAULTS_TO_TRIP = 3
NOT_SENT = Delivery(Outcome.NOT_SENT)


SENDER_REFUSED = ("E-postservern tar inte emot breven från oss: {error}. Det gäller avsändaren, inloggningen eller "
                  "reläet, inte mottagarna, så inget brev har räknats som misslyckat: alla väntar. Rätta "
                  "e-postinställningarna och tryck Fortsätt.")
SERVER_UNREACHABLE = ("E-postservern gick inte att nå eller stängde förbindelsen {count} gånger i rad (senast: "
                      "{error}). Breven väntar i stället för att förbruka sina försök. Tryck Fortsätt när "
                      "e-postservern fungerar igen.")
OUTCOME_UNKNOWN = ("Förbindelsen till e-postservern bröts {count} gånger i rad efter att ett brev hade lämnats över, "
                   "innan servern hann svara (senast: {error}). Vi vet inte om de breven kom fram. Utskicket är "
                   "pausat så att inte fler brev hamnar i samma läge; de som inte har skickats väntar. Kontrollera "
                   "e-postservern, bestäm vad som ska gälla för breven med okänt utfall och tryck sedan Fortsätt.")
BUILD_BROKEN = ("{error}. Ingen har fått brevet. Rätta mallen eller innehållet och tryck Fortsätt; de brev som "
                "inte kunde byggas skickas då också.")


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
    template: str = ""


class Claim:
    """One claim of rows by this worker: its token, and until when the pool may start sending its rows."""

    __slots__ = ("token", "deadline")

    def __init__(self, token: str, deadline: float):
        self.token = token
        #: time.monotonic() after which the lease may have run out in the database: a row not started by then
        #: is not sent (another worker may have it), whatever the lease renewal managed to do.
        self.deadline = deadline


@dataclass(slots=True)
class Job:
    outbox_id: int
    send_id: int
    email: str
    name: str
    fields: dict
    attempts: int
    prepared: PreparedSend
    claim: Claim
    link_key: str | None = None


@dataclass(slots=True)
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
        # SimpleQueue: in C, a fraction of the cost of queue.Queue for the two hand-overs every message makes.
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.results: queue.SimpleQueue[Result] = queue.SimpleQueue()
        #: Sends whose jobs are skipped (paused or cancelled by staff, or tripped); the worker keeps it current.
        self.stopped: set[int] = set()
        #: {send id: Swedish reason} for sends a fault stopped here; the worker pauses them in the database.
        self.trips: dict[int, str] = {}
        self._server_faults = 0
        self._unknowns = 0
        self._build_faults: dict[int, int] = {}
        self.limiter = RateLimiter(settings.rate_per_second)
        self.sign = _signer(app)
        #: Each message's envelope sender names its outbox row, so a bounce arriving later finds it.
        self.verp = Verp.from_config(app.config)
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
                if self._must_skip(job):
                    self.results.put(Result(job, NOT_SENT))
                    continue
                try:
                    delivery = self._deliver(connection, job)
                except BuildFailed as exc:
                    log.error("could not build outbox message %s", job.outbox_id, exc_info=exc.__cause__)
                    delivery = self._build_fault(job, exc.__cause__)
                except Exception as exc:  # a bug in building one message must not stop the pool
                    log.exception("could not build outbox message %s", job.outbox_id)
                    delivery = self._build_fault(job, exc)
                else:
                    self._watch(job, delivery)
                self.results.put(Result(job, delivery))
        connection.close()

    def _must_skip(self, job: Job) -> bool:
        """Return whether the job's send was stopped or its lease may have run out: then it is not sent."""
        send_id = job.send_id
        return send_id in self.stopped or send_id in self.trips or time.monotonic() >= job.claim.deadline

    def _watch(self, job: Job, delivery: Delivery) -> None:
        """The circuit breaker: stop a send at the first sender fault, or after several server faults or unknown
        outcomes in a row."""
        # Plain int and dict updates under the interpreter lock: a count off by one in a race changes nothing.
        if delivery.outcome is Outcome.UNKNOWN:
            self._unknowns += 1
            if self._unknowns >= UNKNOWNS_TO_TRIP:
                self.trip(job.send_id, OUTCOME_UNKNOWN.format(count=self._unknowns, error=delivery.error))
            return
        if delivery.fault is None:
            if delivery.outcome is not Outcome.NOT_SENT:
                self._server_faults = self._unknowns = 0  # the server answered
                self._build_faults.pop(job.send_id, None)
            return
        if delivery.fault is Fault.SENDER:
            self.trip(job.send_id, SENDER_REFUSED.format(error=delivery.error))
            return
        self._server_faults += 1
        if self._server_faults >= SERVER_FAULTS_TO_TRIP:
            self.trip(job.send_id, SERVER_UNREACHABLE.format(count=self._server_faults, error=delivery.error))

    def _build_fault(self, job: Job, exc: Exception) -> Delivery:
        from .outbox import describe_build_error

        error = describe_build_error(job.prepared.template, exc)
        count = self._build_faults.get(job.send_id, 0) + 1
        self._build_faults[job.send_id] = count
        if count >= BUILD_FAULTS_TO_TRIP:
            self.trip(job.send_id, BUILD_BROKEN.format(error=error))
        return Delivery(Outcome.FAILED, error)

    def trip(self, send_id: int, reason: str) -> None:
        """Skip the send's remaining jobs from now on and ask the worker to pause it with `reason`."""
        self.trips.setdefault(send_id, reason)
        self.stopped.add(send_id)

    def _deliver(self, connection: SmtpConnection, job: Job) -> Delivery:
        self.limiter.wait()
        if self._must_skip(job):
            return NOT_SENT  # stopped or lease lost while waiting for the rate limit
        # The message is built while the server answers the first command (connection.send calls it then).
        return connection.send(self.verp.envelope_sender(job.outbox_id), job.email, lambda: self._build(job))

    def _build(self, job: Job) -> bytes:
        """Return the message bytes of one job: the send's skeleton filled with the recipient's values."""
        prepared = job.prepared
        keys = prepared.rendered.keys | prepared.skeleton.keys
        if prepared.list_key is not None:
            keys = keys | {"unsubscribe_url"}
        values = recipient_values(keys, email=job.email, name=job.name, fields=job.fields,
                                  list_key=prepared.list_key, link_key=job.link_key)
        html, text = prepared.rendered.fill_encoded(values)
        message = prepared.skeleton.build_encoded(outbox_id=job.outbox_id, email=job.email, name=job.name,
                                                  html_qp=html, text_qp=text,
                                                  unsubscribe_url=values.get("unsubscribe_url"), date=clock.now(),
                                                  values=values)
        if self.sign is not None:
            message = self.sign(message)
        return message

    def close(self) -> None:
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
