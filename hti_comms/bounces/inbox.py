"""`hti bounce-inbox`: an SMTP server the relay forwards the bounce domain to.

Two processes: the SMTP side (`acceptor.py`, a child process) answers a message 250 once it is safe on disk in the
spool (`spool.py`; 451 when it cannot be written, and the relay tries again later), so the relay is never held up
by the database; this process's drainer thread processes what is spooled in large batches and removes the spool
files only after the commit. At start it first processes what a previous process left (it died, or was stopped,
before processing everything it accepted). The child stops when this process stops or dies.
"""
from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask

from ..extensions import db
from .incoming import Incoming
from .services import BATCH, keep_unprocessed, process_many
from .spool import MalformedSpoolFile, Spool

log = logging.getLogger(__name__)
#: The longest wait before trying again when nothing could be processed (the database is away).
LONGEST_RETRY_SECONDS = 30.0
#: The folder hti_comms is in, for the child process's import path.
_SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent


class Drainer:
    """One thread that processes spooled messages, BATCH at a time, and removes their files after the commit."""

    def __init__(self, app: Flask, spool: Spool):
        self.app, self.spool = app, spool
        self.arrivals: queue.Queue[Path | None] = queue.Queue()
        self.stopping = threading.Event()
        self.backlog: dict[Path, None] = dict.fromkeys(spool.waiting())  # what a previous process left
        if self.backlog:
            log.info("the bounce inbox processes %s spool files left by a previous process", len(self.backlog))
        # Removing a processed file waits for the file system's journal behind the SMTP process's syncs (1–2 ms
        # each in the profile): a thread of its own does it while the next batch is processed.
        self.remover = ThreadPoolExecutor(1, thread_name_prefix="bounce-inbox-remover")
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
        self.remover.shutdown(wait=True)

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
        """Forget the files and have them removed (a file that outlives a crash is read again: a repeat)."""
        self.remover.submit(self.spool.remove, list(paths))
        for path in paths:
            self.backlog.pop(path, None)


class Acceptor:
    """The SMTP side as a child process (`python -m hti_comms.bounces.acceptor`), telling `written` each spool file."""

    def __init__(self, settings: dict, spool: Spool, written, ended):
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_SOURCE_ROOT), environment.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hti_comms.bounces.acceptor"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=environment, pass_fds=(spool.lock_descriptor,))
        self.process.stdin.write(json.dumps(settings).encode() + b"\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().decode().strip()
        if not answer.startswith("ready "):
            self.process.stdin.close()
            self.process.wait()
            self.process.stdout.close()
            raise OSError(f"the bounce inbox could not listen on {settings['host']}:{settings['port']}: "
                          f"{answer.removeprefix('error ') or 'its SMTP process ended'}")
        self.port = int(answer.split()[1])
        self.written, self.ended, self.stopping = written, ended, False
        self.thread = threading.Thread(target=self._read, name="bounce-inbox-acceptor", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.written(Path(line.decode().rstrip("\n")))
        if not self.stopping:  # it died (killed, or a fault): nothing listens any more
            log.error("the bounce inbox's SMTP process ended by itself (exit status %s)", self.process.wait())
            self.ended()

    def stop(self) -> None:
        """Stop the child (sessions not yet answered are dropped: the relay sends them again) and wait for it."""
        self.stopping = True
        self.process.stdin.close()
        self.process.terminate()  # also when a process forked from this one still holds the other end of stdin
        self.process.wait()
        self.thread.join()
        self.process.stdout.close()


class BounceInbox:
    """The bounce inbox listening on a port: the SMTP child process and the drainer, around one spool."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int | None = None,
                 spool_dir: str | Path | None = None):
        self.app, self.host, self.requested_port = app, host, port
        self.spool = Spool(spool_dir or app.config["BOUNCE_SPOOL_DIR"])
        self.acceptor: Acceptor | None = None
        self.drainer: Drainer | None = None
        self.port = 0
        #: Set when the SMTP process ended by itself (the inbox no longer listens: stop it and start again).
        self.smtp_ended = threading.Event()

    def start(self, port: int | None = None, ended: threading.Event | None = None) -> BounceInbox:
        """Take the spool (SpoolBusy when another inbox uses it), start the drainer, then listen (0: any port).

        `ended` is set too when the SMTP process ends by itself."""
        self.spool.open()
        try:
            self.drainer = Drainer(self.app, self.spool)
            config = self.app.config
            settings = {"host": self.host, "port": port or self.requested_port or 0,
                        "spool": str(self.spool.directory), "local_part": config["BOUNCE_LOCAL_PART"],
                        "domain": config["BOUNCE_DOMAIN"]}
            self.acceptor = Acceptor(settings, self.spool, self.drainer.notify,
                                     lambda: [event.set() for event in (self.smtp_ended, ended) if event])
            self.port = self.acceptor.port
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.acceptor is not None:
            self.acceptor.stop()
        if self.drainer is not None:
            self.drainer.stop()
        self.acceptor = self.drainer = None
        self.spool.close()
