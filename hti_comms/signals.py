"""Stopping on SIGTERM and SIGINT (Ctrl-C) without a deadlock.

A Python signal handler runs in the main thread, between two of its steps, wherever that thread happens to be:
also inside `Event.wait()`, while it holds the event's own lock. A handler that calls `Event.set()` then waits for
that lock, which its own thread holds and will never let go of: the process hangs on SIGTERM (seen under load in
the `make run` test, where `hti dev` stopped its children and then never ended). So the handler only writes a
byte to a pipe (no lock involved), and a thread of its own reads it and sets the event.
"""
from __future__ import annotations

import os
import signal
import threading


def event_set_by_signals(*signums: int) -> threading.Event:
    """Return an event that the signals `signums` (default SIGTERM and SIGINT) set, from the main thread's handler
    through a pipe and a relay thread."""
    stop = threading.Event()
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)

    def relay() -> None:
        os.read(read_end, 1)
        stop.set()

    def handler(_signum, _frame) -> None:
        try:
            os.write(write_end, b"\0")
        except BlockingIOError:  # the pipe is full of earlier signals: the relay has one to wake up on already
            pass

    threading.Thread(target=relay, name="signal-relay", daemon=True).start()
    for signum in signums or (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)
    return stop
