"""The bounce inbox's SMTP side: a process of its own that accepts reports to bounce addresses and spools them.

`hti bounce-inbox` (inbox.py) starts it as `python -m hti_comms.bounces.acceptor` and processes what it spools. In
one process the SMTP sessions and the processing (parsing, the database) took turns on one core, each waiting for
the other's hold on the interpreter; as two processes they use two. It answers 250 only once a message is synced
to disk: the messages that finish arriving together go into one spool file with one pair of syncs. That write
happens in the event loop itself, because every session that could be answered meanwhile is waiting for it; a
writer thread would wait for the interpreter after each of its system calls while the loop works.

The inbox writes the settings (JSON) as the first line of standard input and keeps it open; the process stops when
it closes (the inbox stops, or died) or on SIGTERM. On standard output it says `ready <port>` once it listens (or
`error <reason>`), then the path of each spool file it wrote, one a line. The spool's lock is the inbox's, handed
down as an open file, so no second inbox starts while this process still runs.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import sys

from aiosmtpd.smtp import SMTP

from .incoming import Incoming
from .smtp_data import read_body
from .spool import Spool

log = logging.getLogger(__name__)


def is_bounce_address(address: str, local_part: str, domain: str) -> bool:
    """Return whether `address` is local_part+…@domain (any token: whether it is genuine is decided later)."""
    local, _, address_domain = address.strip().strip("<>").lower().rpartition("@")
    base, plus, _token = local.partition("+")
    return address_domain == domain and base == local_part and bool(plus)


class SpoolingHandler:
    """Accepts mail only to bounce addresses; each message is answered once its spool file is on disk."""

    def __init__(self, spool: Spool, local_part: str, domain: str, announce):
        self.spool, self.local_part, self.domain, self.announce = spool, local_part, domain, announce
        self.waiting: list[tuple[Incoming, asyncio.Future]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if not is_bounce_address(address, self.local_part, self.domain):
            return "550 5.1.1 Only bounce addresses are accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.waiting.append((Incoming(envelope.original_content, tuple(envelope.rcpt_tos)), future))
        if len(self.waiting) == 1:
            # Write one round later, so that the sessions whose data came in with this one are in the same file.
            loop.call_soon(loop.call_soon, self.write_waiting)
        try:
            await future
        except OSError:  # logged below; the relay keeps the message and tries again
            return "451 4.3.0 Could not store the message, try again later"
        return "250 OK: report received"

    def write_waiting(self) -> None:
        group, self.waiting = self.waiting, []
        if not group:
            return
        try:
            path = self.spool.write([message for message, _future in group])
        except OSError as exc:  # e.g. the disk is full: every sender is told to try again later
            log.exception("the bounce inbox could not spool %s messages", len(group))
            path, error = None, exc
        else:
            error = None
        for _message, future in group:
            if future.done():  # the session went away meanwhile
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(None)
        if path is not None:
            self.announce(f"{path}\n")


class BounceSMTP(SMTP):
    """aiosmtpd's server, reading each message body in large pieces (smtp_data.py) instead of line by line."""

    async def smtp_DATA(self, arg: str) -> None:
        # The checks and answers of aiosmtpd 1.4's smtp_DATA before and after the body (bytes only: no decode_data).
        if await self.check_helo_needed():
            return
        if await self.check_auth_needed("DATA"):
            return
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            body = await read_body(self._reader, self.data_size_limit, self.line_length_limit)
        except asyncio.CancelledError:  # the connection went away during the body
            self._writer.close()
            raise
        except asyncio.IncompleteReadError:
            self._writer.close()
            return
        if body.refusal is not None:
            self._set_post_data_state()
            await self.push(body.refusal)
            return
        self.envelope.content = self.envelope.original_content = body.content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)


def _write_line(text: str) -> None:
    os.write(sys.stdout.fileno(), text.encode("utf-8"))


def serve(settings: dict) -> int:
    """Listen until standard input closes or SIGTERM comes; return the exit status."""
    spool = Spool(settings["spool"])
    handler = SpoolingHandler(spool, settings["local_part"].lower(), settings["domain"].lower(), _write_line)
    hostname = socket.getfqdn()  # once, not for every connection
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        server = loop.run_until_complete(loop.create_server(
            lambda: BounceSMTP(handler, hostname=hostname, enable_SMTPUTF8=True, loop=loop),
            host=settings["host"], port=settings["port"]))
    except OSError as exc:
        _write_line(f"error {exc}\n")
        return 1
    stopping = loop.create_future()

    def stop() -> None:
        if not stopping.done():
            stopping.set_result(None)

    def on_input() -> None:
        if not os.read(sys.stdin.fileno(), 4096):  # closed: the inbox stops, or died
            loop.remove_reader(sys.stdin.fileno())
            stop()

    loop.add_reader(sys.stdin.fileno(), on_input)
    loop.add_signal_handler(signal.SIGTERM, stop)
    _write_line(f"ready {server.sockets[0].getsockname()[1]}\n")
    loop.run_until_complete(stopping)
    server.close()
    sessions = [task for task in asyncio.all_tasks(loop)]
    for task in sessions:  # messages not yet answered are not answered: the relay sends them again
        task.cancel()
    loop.run_until_complete(asyncio.gather(*sessions, return_exceptions=True))
    loop.close()
    return 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname).5s [%(name)s] %(message)s")
    settings = json.loads(sys.stdin.buffer.readline())
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
