"""The bounce inbox's spool: what the SMTP sessions accepted, safe on disk before the 250, until it is committed.

Messages accepted together (one per relay connection waiting for its answer) go into one spool file with one
fsync, as a database commits a group of transactions with one write of its log: a file per message would cost an
fsync per message (3–4 ms on our disks, more than the processing). A file is written in `tmp/` and renamed into
`new/` once it is on disk, so `new/` holds only whole files; the drainer removes a file only after its messages
are committed. A file committed but not yet removed when the process died is read again at the next start: the
processor knows a message by its digest, so it is acted on once.
"""
from __future__ import annotations

import fcntl
import itertools
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from .incoming import Incoming

MAGIC = b"HTI-BOUNCE-SPOOL 1\n"


class SpoolBusy(Exception):
    """Another bounce inbox uses this spool folder."""


class MalformedSpoolFile(Exception):
    """A file in the spool that is not a whole spool file (written by hand, or a damaged disk)."""


class Spool:
    """A folder of spool files: `tmp/` while one is written, `new/` once it is on disk, `lock` held by its inbox."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.writing = self.directory / "tmp"
        self.ready = self.directory / "new"
        self._lock: int | None = None
        self._names = itertools.count()

    def open(self) -> Spool:
        """Make the folders, take the lock (SpoolBusy if another inbox holds it) and clear unfinished writes."""
        for folder in (self.directory, self.writing, self.ready):
            folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(self.directory / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            raise SpoolBusy(str(self.directory)) from None
        self._lock = lock
        # A file still in tmp/ was being written when a process died: none of its messages was answered 250,
        # so the relay sends them again.
        for unfinished in self.writing.iterdir():
            unfinished.unlink(missing_ok=True)
        return self

    @property
    def lock_descriptor(self) -> int:
        """The open lock file (handed to the inbox's SMTP process, so the lock lasts while either runs)."""
        if self._lock is None:
            raise RuntimeError("the spool is not open")
        return self._lock

    def close(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing releases the lock
            self._lock = None

    def write(self, messages: Sequence[Incoming]) -> Path:
        """Write the messages to one spool file and make it durable (file and folder synced); return its path."""
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._names)}.spool"
        parts = [MAGIC]
        for message in messages:
            parts.append(json.dumps({"to": list(message.envelope_to), "size": len(message.raw)}).encode() + b"\n")
            parts.append(message.raw)
            parts.append(b"\n")
        temporary = self.writing / name
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(descriptor, b"".join(parts))  # a regular file takes the whole write
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        final = self.ready / name
        os.rename(temporary, final)
        _sync_folder(self.ready)
        return final

    def waiting(self) -> list[Path]:
        """Return the spool files not yet processed, oldest first."""
        return sorted(self.ready.glob("*.spool"))

    @staticmethod
    def read(path: Path) -> list[Incoming]:
        """Return the messages of a spool file (MalformedSpoolFile when it is not a whole one)."""
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            raise MalformedSpoolFile(path.name)
        messages, position = [], len(MAGIC)
        while position < len(data):
            end = data.find(b"\n", position)
            try:
                header = json.loads(data[position:end]) if end >= 0 else None
                size, recipients = int(header["size"]), tuple(str(to) for to in header["to"])
            except (ValueError, TypeError, KeyError):
                raise MalformedSpoolFile(path.name) from None
            start = end + 1
            if data[start + size:start + size + 1] != b"\n":
                raise MalformedSpoolFile(path.name)
            messages.append(Incoming(data[start:start + size], recipients))
            position = start + size + 1
        return messages

    @staticmethod
    def remove(paths: Sequence[Path]) -> None:
        """Remove processed files (not synced: a file that comes back after a crash is processed as a repeat)."""
        for path in paths:
            path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
