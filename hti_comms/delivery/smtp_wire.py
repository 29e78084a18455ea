"""The bytes between the send worker and the SMTP server: write commands and a message, read replies, in time.

A Python socket with a timeout polls before every send and every receive: two system calls, and two waits for the
interpreter lock, where one would do. The worker writes a command and reads a reply four times per message, on
several connections at once, so on a plain TCP connection (`KernelTimed`) the socket stays blocking and the kernel
times the waits out (SO_RCVTIMEO, SO_SNDTIMEO); the hand-over of a message still has one deadline for the whole
of it. A TLS connection (`PythonTimed`) keeps Python's timeouts: OpenSSL retries a blocking read that timed out
instead of reporting it.
"""
from __future__ import annotations

import smtplib
import socket
import struct
import time

_MAX_REPLY_LINE = 8193  # smtplib's _MAXLINE + 1
_TIMEVAL = struct.Struct("@ll")
#: The shortest wait handed to the kernel: a timeval of zero would mean "wait for ever".
_SHORTEST_WAIT = 0.001


def read_reply(wire: PythonTimed | KernelTimed) -> tuple[int, bytes]:
    """Read one (possibly multi-line) SMTP reply; return its code and text (as smtplib's getreply does)."""
    lines = []
    while True:
        line = wire.line()
        lines.append(line[4:].strip(b" \t\r\n"))
        if line[3:4] != b"-":
            try:
                return int(line[:3]), b"\n".join(lines)
            except ValueError:
                return -1, b"\n".join(lines)


def _disconnected() -> smtplib.SMTPServerDisconnected:
    return smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class PythonTimed:
    """A connection whose waits Python's socket timeouts limit (read through smtplib's buffered file)."""

    def __init__(self, smtp: smtplib.SMTP):
        self.sock = smtp.sock
        self.file = smtp.sock.makefile("rb") if smtp.file is None else smtp.file
        self._timeout: float | None = None

    def _wait_at_most(self, seconds: float) -> None:
        # Each settimeout() is a system call; most messages would make the same one several times.
        if seconds != self._timeout:
            self.sock.settimeout(seconds)
            self._timeout = seconds

    def commands(self, seconds: float) -> None:
        """Limit each command's write and reply to `seconds` from now on."""
        self._wait_at_most(seconds)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def hand_over(self, data: bytes, seconds: float) -> None:
        """Write `data` within `seconds` in all (sendall's timeout is its total duration)."""
        self._wait_at_most(seconds)
        self.sock.sendall(data)

    def replies(self, seconds: float) -> None:
        """Limit the wait for each reply to `seconds` from now on."""
        self._wait_at_most(seconds)

    def line(self) -> bytes:
        line = self.file.readline(_MAX_REPLY_LINE)
        if not line:
            raise _disconnected()
        return line

    def for_smtplib(self, seconds: float) -> bool:
        """Let smtplib talk on the connection (RSET, QUIT) with `seconds` per reply; return whether it may."""
        self._wait_at_most(seconds)
        return True


class KernelTimed:
    """A plain TCP connection left blocking, whose waits the kernel limits; replies are read into a buffer here."""

    def __init__(self, smtp: smtplib.SMTP):
        self.sock = smtp.sock
        self.buffer = b""
        self._send_limit: float | None = None
        self._receive_limit: float | None = None
        self._blocking = False

    def _limit(self, option: int, seconds: float) -> None:
        seconds = max(seconds, _SHORTEST_WAIT)
        whole = int(seconds)
        self.sock.setsockopt(socket.SOL_SOCKET, option, _TIMEVAL.pack(whole, int((seconds - whole) * 1e6)))

    def _block(self) -> None:
        if not self._blocking:
            self.sock.settimeout(None)
            self._blocking = True

    def commands(self, seconds: float) -> None:
        """Limit each command's write and reply to `seconds` from now on."""
        self._block()
        if seconds != self._send_limit:
            self._limit(socket.SO_SNDTIMEO, seconds)
            self._send_limit = seconds
        self.replies(seconds)

    def replies(self, seconds: float) -> None:
        """Limit the wait for each reply to `seconds` from now on."""
        if seconds != self._receive_limit:
            self._limit(socket.SO_RCVTIMEO, seconds)
            self._receive_limit = seconds

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except BlockingIOError:  # the send limit ran out
            raise TimeoutError("timed out") from None

    def hand_over(self, data: bytes, seconds: float) -> None:
        """Write `data` within `seconds` in all, however slowly the server reads it."""
        deadline = time.monotonic() + seconds
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out")
            if self._send_limit is None or self._send_limit > left:
                self._limit(socket.SO_SNDTIMEO, left)
                self._send_limit = left
            try:
                view = view[self.sock.send(view):]
            except BlockingIOError:
                # The kernel's limit ran out: the deadline decides whether to wait longer (a limit set for the
                # commands may be shorter than the hand-over's).
                continue

    def line(self) -> bytes:
        while True:
            end = self.buffer.find(b"\n", 0, _MAX_REPLY_LINE)
            if end >= 0 or len(self.buffer) >= _MAX_REPLY_LINE:
                size = end + 1 if end >= 0 else _MAX_REPLY_LINE
                line, self.buffer = self.buffer[:size], self.buffer[size:]
                return line
            try:
                chunk = self.sock.recv(65536)
            except BlockingIOError:  # the receive limit ran out
                raise TimeoutError("timed out") from None
            if not chunk:
                raise _disconnected()
            self.buffer += chunk

    def for_smtplib(self, seconds: float) -> bool:
        """Let smtplib talk on the connection (RSET, QUIT) with `seconds` per reply; return whether it may (not
        when replies it would miss are still in this buffer)."""
        if self.buffer:
            return False
        self.sock.settimeout(seconds)
        self._blocking = False
        return True
