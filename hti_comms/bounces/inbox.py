"""`hti bounce-inbox`: an SMTP server (aiosmtpd) the relay forwards the bounce domain to.

A message is answered 250 only once it has been processed and committed; otherwise 451, and the relay tries
again later, so nothing is lost. Messages arriving together (a relay uses several connections) are processed
in one transaction by one thread, so the inbox keeps up with a burst of bounces after a large send.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading

from flask import Flask

from ..delivery.sink import MemorySink, free_port
from ..delivery.verp import Verp
from ..extensions import db
from .services import BATCH, Incoming, process_many

log = logging.getLogger(__name__)


def _settle(answers: list[tuple[asyncio.Future, object, BaseException | None]]) -> None:
    """Give each waiting SMTP session its answer (run in the sessions' event loop)."""
    for future, result, error in answers:
        if future.done():  # the session went away meanwhile
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class BatchProcessor:
    """One thread that processes what the SMTP sessions hand it, as many at a time as are waiting.

    The answers of a batch go back to the event loop in one call, not one wake-up per message."""

    def __init__(self, app: Flask):
        self.app = app
        self.waiting: queue.Queue[tuple[Incoming, asyncio.AbstractEventLoop, asyncio.Future] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="bounce-inbox", daemon=True)
        self.thread.start()

    def submit(self, message: Incoming) -> asyncio.Future:
        """Queue the message; return a future of the event loop calling this, done once it is committed."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.put((message, loop, future))
        return future

    def stop(self) -> None:
        self.waiting.put(None)
        self.thread.join()

    def _run(self) -> None:
        while True:
            item = self.waiting.get()
            if item is None:
                return
            batch = [item]
            while len(batch) < BATCH:
                try:
                    item = self.waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self.waiting.put(None)  # stop after this batch
                    break
                batch.append(item)
            with self.app.app_context():
                try:
                    results = process_many([message for message, _l, _f in batch], source="smtp")
                    answers = [(future, result, None) for (_m, _l, future), result in zip(batch, results)]
                except Exception as exc:  # e.g. the database is away: every sender is told to try again
                    log.exception("the bounce inbox could not process %s messages", len(batch))
                    answers = [(future, None, exc) for _m, _l, future in batch]
                finally:
                    db.session.remove()
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for (_message, loop, _future), answer in zip(batch, answers):
                by_loop.setdefault(loop, []).append(answer)
            for loop, loop_answers in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, loop_answers)
                except RuntimeError:  # that loop has closed: its sessions are gone
                    pass


class BounceHandler:
    """Accepts mail only to bounce addresses (BOUNCE_LOCAL_PART+…@BOUNCE_DOMAIN) and processes each message."""

    def __init__(self, app: Flask, processor: BatchProcessor):
        self.verp = Verp.from_config(app.config)
        self.processor = processor

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if not self.verp.is_bounce_address(address):
            return "550 5.1.1 Only bounce addresses are accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        try:
            await self.processor.submit(Incoming(raw, tuple(envelope.rcpt_tos)))
        except Exception:  # noqa: BLE001 - logged by the processor; the relay keeps the message and retries
            return "451 4.3.0 Could not process the message, try again later"
        return "250 OK: report received"


class BounceInbox(MemorySink):
    """The bounce inbox listening on a port (MemorySink's start and stop, with the bounce handler)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int | None = None):
        super().__init__()
        self.app, self.host, self.requested_port = app, host, port
        self.processor: BatchProcessor | None = None

    def start(self, port: int | None = None, handler=None, **server_options) -> BounceInbox:
        from aiosmtpd.controller import Controller

        self.port = port or self.requested_port or free_port()
        self.processor = BatchProcessor(self.app)
        self.controller = Controller(BounceHandler(self.app, self.processor), hostname=self.host, port=self.port,
                                     **server_options)
        self.controller.start()
        return self

    def stop(self) -> None:
        super().stop()
        if self.processor is not None:
            self.processor.stop()
            self.processor = None
