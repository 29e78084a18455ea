"""A raw SMTP relay of our own that fails the way real relays do: at DATA, during the data, after the final dot.

It speaks just enough SMTP for the send worker (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), counts every message
it keeps per recipient, and misbehaves in the way `fault` names, on every connection, until the test sets
`fault = None` (the relay is fixed). Stalls last until `release` is set (at the latest when the relay stops).
"""
from __future__ import annotations

import socket
import struct
import threading
from collections import Counter

HOST = "127.0.0.1"
#: The relay's receive buffer: small and fixed (no autotuning), so a large message cannot fit in flight.
RECEIVE_BUFFER = 64 * 1024
#: Longest any stall lasts if the test never releases it.
STALL_SECONDS = 15

#: Faults before the final dot: the server cannot have kept the message. After it: it has.
BEFORE_THE_DOT = ("reset-at-data", "421-at-data", "reset-during-data", "stall-during-data", "stall-greeting",
                  "stall-rcpt")
AFTER_THE_DOT = ("reset-after-dot", "close-after-dot", "stall-after-dot")
REFUSED_AFTER_THE_DOT = ("421-after-dot",)


def send_buffer_limit() -> int:
    """Return the most a client socket may hold unsent or unacknowledged (the kernel's autotuning limit)."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as limits:
            return int(limits.read().split()[2])
    except (OSError, ValueError, IndexError):
        return 16 * 1024 * 1024


def large_message_size() -> int:
    """Return a message size that cannot be handed over before the relay has read most of it."""
    return send_buffer_limit() + 4 * RECEIVE_BUFFER + 2 * 1024 * 1024


class Relay:
    def __init__(self, fault: str | None = None):
        self.fault = fault
        #: recipient -> how many times the relay kept a message for them.
        self.kept: Counter[str] = Counter()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)  # inherited by accepted ones
        self._listener.bind((HOST, 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._connections: list[socket.socket] = []
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        self.release.set()
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                try:
                    connection.close()
                except OSError:
                    pass

    @property
    def delivered(self) -> int:
        """Recipients who got the message at least once."""
        with self._lock:
            return len(self.kept)

    @property
    def duplicated(self) -> int:
        """Recipients who got it more than once."""
        with self._lock:
            return sum(1 for count in self.kept.values() if count > 1)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _keep(self, recipients: list[str]) -> None:
        with self._lock:
            self.kept.update(recipients)

    def _stall(self) -> None:
        self.release.wait(STALL_SECONDS)

    @staticmethod
    def _reset(connection: socket.socket, reader) -> None:
        """Close with a TCP reset (RST), as a relay that crashes or is killed does."""
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        reader.close()
        connection.close()

    def _serve(self, connection: socket.socket) -> None:
        reader = connection.makefile("rb")
        try:
            self._conversation(connection, reader)
        except OSError:
            pass
        finally:
            try:
                reader.close()
                connection.close()
            except OSError:
                pass

    @staticmethod
    def _read_to_the_final_dot(reader) -> bool:
        while True:
            line = reader.readline()
            if line == b".\r\n":
                return True
            if not line:
                return False

    def _conversation(self, connection: socket.socket, reader) -> None:
        if self.fault == "stall-greeting":
            self._stall()
        connection.sendall(b"220 relay ESMTP\r\n")
        recipients: list[str] = []
        while True:
            line = reader.readline()
            if not line:
                return
            command = line[:4].upper()
            fault = self.fault
            if command in (b"EHLO", b"HELO"):
                connection.sendall(b"250-relay\r\n250 8BITMIME\r\n")
            elif command == b"MAIL":
                recipients = []
                connection.sendall(b"250 OK\r\n")
            elif command == b"RCPT":
                if fault == "stall-rcpt":
                    self._stall()
                recipients.append(line.split(b"<", 1)[1].split(b">", 1)[0].decode().lower())
                connection.sendall(b"250 OK\r\n")
            elif command == b"DATA":
                if fault == "reset-at-data":
                    return self._reset(connection, reader)
                if fault == "421-at-data":
                    connection.sendall(b"421 4.3.2 Service shutting down\r\n")
                    return
                connection.sendall(b"354 go ahead\r\n")
                if fault == "reset-during-data":
                    reader.read(RECEIVE_BUFFER)  # the start of the message, far from its end
                    return self._reset(connection, reader)
                if fault == "stall-during-data":
                    reader.read(RECEIVE_BUFFER)
                    self._stall()              # stops reading: the client's writes wait
                if not self._read_to_the_final_dot(reader):
                    return                     # the client went away before the end: nothing to keep
                if fault in REFUSED_AFTER_THE_DOT:
                    connection.sendall(b"421 4.3.2 Service shutting down, message not accepted\r\n")
                    return
                self._keep(recipients)         # the message is stored; what follows is the fault
                if fault == "reset-after-dot":
                    return self._reset(connection, reader)
                if fault == "close-after-dot":
                    return
                if fault == "stall-after-dot":
                    self._stall()
                connection.sendall(b"250 OK: kept\r\n")
            elif command == b"QUIT":
                connection.sendall(b"221 bye\r\n")
                return
            else:  # RSET, NOOP
                connection.sendall(b"250 OK\r\n")
