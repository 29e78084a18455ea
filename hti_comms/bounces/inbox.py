"""`hti bounce-inbox`: an SMTP server (aiosmtpd) the relay forwards the bounce domain to.

A message is answered 250 once it is safe on disk in the spool (`spool.py`; 451 when it cannot be written, and
the relay tries again later), so the relay is never held up by the database. A drainer thread processes what is
spooled in large batches and removes the spool files only after the commit; at start it first processes what a
previous process left (it died, or was stopped, before processing everything it accepted).
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from pathlib import Path

from flask import Flask

from ..delivery.sink import MemorySink, free_port
from ..delivery.verp import Verp
from ..extensions import db
from .services import BATCH, Incoming, keep_unprocessed, process_many
from .spool import MalformedSpoolFile, Spool

log = logging.getLogger(__name__)
#: The longest wait before trying again when nothing could be processed (the database is away).
LONGEST_RETRY_SECONDS = 30.0


def _settle(answers: list[tuple[asyncio.Future, BaseException | None]]) -> None:
    """Give each waiting SMTP session its answer (run in the sessions' event loop)."""
    for future, error in answers:
        if future.done():  # the session went away meanwhile
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(None)


class SpoolWriter:
    """One thread that writes what the SMTP sessions hand it to the spool, all waiting messages in one file."""

    def __init__(self, spool: Spool, written):
        self.spool, self.written = spool, written
        self.waiting: queue.Queue[tuple[Incoming, asyncio.AbstractEventLoop, asyncio.Future] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="bounce-inbox-spool", daemon=True)
        self.thread.start()

    def submit(self, message: Incoming) -> asyncio.Future:
        """Queue the message; return a future of the event loop calling this, done once it is on disk."""
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
            group = [item]
            while True:
                try:
                    item = self.waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self.waiting.put(None)  # stop after this group
                    break
                group.append(item)
            try:
                path = self.spool.write([message for message, _l, _f in group])
                error = None
            except OSError as exc:  # e.g. the disk is full: every sender is told to try again later
                log.exception("the bounce inbox could not spool %s messages", len(group))
                path, error = None, exc
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for _message, loop, future in group:
                by_loop.setdefault(loop, []).append((future, error))
            for loop, answers in by_loop.items():
                try:
                    loop.call_soon_threadsafe(_settle, answers)
                except RuntimeError:  # that loop has closed: its sessions are gone
                    pass
            if path is not None:
                self.written(path)


class Drainer:
    """One thread that processes spooled messages, BATCH at a time, and removes their files after the commit."""

    def __init__(self, app: Flask, spool: Spool):
        self.app, self.spool = app, spool
        self.arrivals: queue.Queue[Path | None] = queue.Queue()
        self.stopping = threading.Event()
        self.backlog: dict[Path, None] = dict.fromkeys(spool.waiting())  # what a previous process left
        if self.backlog:
            log.info("the bounce inbox processes %s spool files left by a previous process", len(self.backlog))
        self.thread = threading.Thread(target=self._run, name="bounce-inbox-drainer", daemon=True)
        self.thread.start()

    def notify(self, path: Path) -> None:
        """Tell the drainer a spool file is ready."""
        self.arrivals.put(path)

    def stop(self) -> None:
        """Stop after the batch in hand; what is left stays spooled for the next start."""
        self.stopping.set()
        self.arrivals.put(None)
        self.thread.join()

    def _run(self) -> None:
        delay = 0.0
        while not self.stopping.is_set():
            self._collect(block=not self.backlog)
            if self.stopping.is_set():
                return
            if self._drain_once():
                delay = 0.0
            else:
                delay = min(delay * 2 or 1.0, LONGEST_RETRY_SECONDS)
                self.stopping.wait(delay)

    def _collect(self, block: bool) -> None:
        while True:
            try:
                path = self.arrivals.get() if block else self.arrivals.get_nowait()
            except queue.Empty:
                return
            block = False
            if path is not None:
                self.backlog[path] = None

    def _drain_once(self) -> bool:
        """Process the oldest spool files (about BATCH messages); return whether any was done with."""
        files: list[tuple[Path, list[Incoming]]] = []
        count = 0
        with self.app.app_context():
            try:
                for path in list(self.backlog):
                    if count >= BATCH:
                        break
                    try:
                        messages = self.spool.read(path)
                    except FileNotFoundError:  # already done with (a repeat notice)
                        self.backlog.pop(path, None)
                        continue
                    except MalformedSpoolFile:
                        keep_unprocessed([path.read_bytes()], source="smtp",
                                         why=f"Skadad fil i studsbrevlådans kö ({path.name})")
                        self._done([path])
                        continue
                    files.append((path, messages))
                    count += len(messages)
                if not files:
                    return True
                try:
                    process_many([message for _path, messages in files for message in messages], source="smtp")
                except Exception:  # noqa: BLE001 - the database is away, or one message fails: see which
                    db.session.rollback()
                    log.exception("the bounce inbox could not process %s messages together", count)
                    return self._one_file_at_a_time(files)
                self._done([path for path, _messages in files])
                return True
            except Exception:  # noqa: BLE001 - keep the thread alive; the files stay spooled and are tried again
                db.session.rollback()
                log.exception("the bounce inbox could not process its spool")
                return False
            finally:
                db.session.remove()

    def _one_file_at_a_time(self, files: list[tuple[Path, list[Incoming]]]) -> bool:
        failed = []
        for path, messages in files:
            try:
                process_many(messages, source="smtp")
            except Exception:  # noqa: BLE001
                db.session.rollback()
                failed.append((path, messages))
            else:
                self._done([path])
        if len(failed) == len(files):
            return False  # nothing went through (the database is away?): all stay spooled, tried again later
        for path, messages in failed:  # the database works: these messages themselves fail
            try:
                keep_unprocessed([message.raw for message in messages], source="smtp",
                                 why="Kunde inte behandlas (se loggen från studsbrevlådan)")
            except Exception:  # noqa: BLE001
                db.session.rollback()
                log.exception("the bounce inbox could not keep %s for staff; it stays spooled", path.name)
            else:
                self._done([path])
        return True

    def _done(self, paths: list[Path]) -> None:
        self.spool.remove(paths)
        for path in paths:
            self.backlog.pop(path, None)


class BounceHandler:
    """Accepts mail only to bounce addresses (BOUNCE_LOCAL_PART+…@BOUNCE_DOMAIN) and spools each message."""

    def __init__(self, app: Flask, writer: SpoolWriter):
        self.verp = Verp.from_config(app.config)
        self.writer = writer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if not self.verp.is_bounce_address(address):
            return "550 5.1.1 Only bounce addresses are accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        try:
            await self.writer.submit(Incoming(raw, tuple(envelope.rcpt_tos)))
        except OSError:  # logged by the writer; the relay keeps the message and tries again
            return "451 4.3.0 Could not store the message, try again later"
        return "250 OK: report received"


class BounceInbox(MemorySink):
    """The bounce inbox listening on a port (MemorySink's start and stop, with the bounce handler)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int | None = None,
                 spool_dir: str | Path | None = None):
        super().__init__()
        self.app, self.host, self.requested_port = app, host, port
        self.spool = Spool(spool_dir or app.config["BOUNCE_SPOOL_DIR"])
        self.writer: SpoolWriter | None = None
        self.drainer: Drainer | None = None

    def start(self, port: int | None = None, handler=None, **server_options) -> BounceInbox:
        from aiosmtpd.controller import Controller

        self.spool.open()  # SpoolBusy when another inbox uses it
        try:
            self.port = port or self.requested_port or free_port()
            self.drainer = Drainer(self.app, self.spool)
            self.writer = SpoolWriter(self.spool, self.drainer.notify)
            controller = Controller(BounceHandler(self.app, self.writer), hostname=self.host, port=self.port,
                                    **server_options)
            controller.start()
            self.controller = controller
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        super().stop()
        for part in (self.writer, self.drainer):
            if part is not None:
                part.stop()
        self.writer = self.drainer = None
        self.spool.close()
