"""The bounce inbox's SMTP side: a process of its own that accepts reports to bounce addresses and spools them.

`hti bounce-inbox` (inbox.py) starts it as `python -m hti_comms.bounces.acceptor` and processes what it spools. In
one process the SMTP sessions and the processing (parsing, the database) took turns on one core, each waiting for
the other's hold on the interpreter; as two processes they use two. It answers 250 only once a message is synced
to disk; the messages that finish arriving while one spool file is written go together into the next (one pair of
syncs for all of them).

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
import re
import signal
import socket
import sys
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.smtp import SMTP

from ..delivery.verp import Verp
from .incoming import Incoming
from .smtp_data import read_body
from .spool import Spool

log = logging.getLogger(__name__)


class SpoolingHandler:
    """Accepts mail only to bounce addresses; each message is answered once its spool file is on disk.

    One spool file is written at a time, by a thread (its syncs wait for the disk, not for the interpreter), while
    the loop goes on reading: what finishes arriving meanwhile waits and goes into the next file together, so the
    busier the inbox, the more messages share a pair of syncs (group commit).
    """

    def __init__(self, spool: Spool, verp: Verp, announce):
        self.spool, self.verp, self.announce = spool, verp, announce
        self.waiting: list[tuple[Incoming, asyncio.Future]] = []
        self.writing = False
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="bounce-inbox-spool")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if not self.verp.is_bounce_address(address):
            return "550 5.1.1 Only bounce addresses are accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((Incoming(envelope.original_content, tuple(envelope.rcpt_tos)), future))
        if not self.writing:
            self._write_waiting()
        try:
            await future
        except OSError:  # logged below; the relay keeps the message and tries again
            return "451 4.3.0 Could not store the message, try again later"
        return "250 OK: report received"

    def _write_waiting(self) -> None:
        group, self.waiting = self.waiting, []
        self.writing = True
        written = asyncio.get_running_loop().run_in_executor(
            self.writer, self.spool.write, [message for message, _future in group])
        written.add_done_callback(lambda done: self._written(group, done))

    def _written(self, group: list[tuple[Incoming, asyncio.Future]], done: asyncio.Future) -> None:
        self.writing = False
        error = done.exception()
        if error is not None:  # e.g. the disk is full: every sender of the group is told to try again later
            log.error("the bounce inbox could not spool %s messages", len(group), exc_info=error)
            if not isinstance(error, OSError):
                error = OSError(str(error))
        else:
            self.announce(f"{done.result()}\n")
        for _message, future in group:
            if future.done():  # the session went away meanwhile
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(None)
        if self.waiting:
            self._write_waiting()


#: The common MAIL/RCPT argument: <> or <dot-atom@domain>, then the parameters. Anything else (quoted local parts,
#: source routes, comments, address literals) goes through aiosmtpd's full parser.
_PLAIN_PATH = re.compile(r"<((?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                         r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)?)>(?:[ \t]+(.*))?", re.DOTALL)


class BounceSMTP(SMTP):
    """aiosmtpd's server, reading each message body in large pieces (smtp_data.py) instead of line by line, and
    reading a plain MAIL/RCPT address without the general header parser (a third of the per-message work)."""

    def _getaddr(self, arg: str):
        plain = _PLAIN_PATH.fullmatch(arg) if arg else None
        if plain is None or (self.local_part_limit and len(plain[1].rpartition("@")[0]) > self.local_part_limit):
            return super()._getaddr(arg)
        if not plain[1]:  # the null path: aiosmtpd leaves what follows it as it is
            return "<>", arg[2:]
        return plain[1], plain[2] or ""

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
    # Which addresses are bounce addresses needs no key: whether a token is genuine is decided when processing.
    handler = SpoolingHandler(spool, Verp(settings["local_part"], settings["domain"], keys=()), _write_line)
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
    loop.add_signal_handler(signal.SIGINT, stop)  # Ctrl-C in a terminal reaches the inbox and this process alike
    _write_line(f"ready {server.sockets[0].getsockname()[1]}\n")
    loop.run_until_complete(stopping)
    server.close()
    sessions = [task for task in asyncio.all_tasks(loop)]
    for task in sessions:  # messages not yet answered are not answered: the relay sends them again
        task.cancel()
    loop.run_until_complete(asyncio.gather(*sessions, return_exceptions=True))
    # A file still being written is left in the spool unannounced: the inbox's next start processes it.
    handler.writer.shutdown(wait=True)
    loop.close()
    return 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname).5s [%(name)s] %(message)s")
    settings = json.loads(sys.stdin.buffer.readline())
    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
