"""The bounce inbox's body reader: large pieces, with aiosmtpd's rules for the end mark, dots, bare LF and limits."""
from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from hti_comms.bounces.acceptor import BounceSMTP
from hti_comms.bounces.smtp_data import TOO_LONG, TOO_MUCH, read_body
from hti_comms.delivery.sink import free_port

TRICKY = (b"Subject: prov\r\n\r\n..two dots\r\n.one dot\r\n. space\r\nbare\nLF\n.not a line start\r\n"
          b"bare CR\r.\r\n\r\nlast line ends with a dot.\r\n")
TRICKY_UNSTUFFED = (b"Subject: prov\r\n\r\n.two dots\r\none dot\r\n space\r\nbare\nLF\n.not a line start\r\n"
                    b"bare CR\r.\r\n\r\nlast line ends with a dot.\r\n")


def _read(pieces: list[bytes], data_size_limit: int | None = 33_554_432):
    """Feed the pieces one at a time (each reaching the reader before the next); return the body and what is
    left in the stream after it."""
    async def run():
        reader = asyncio.StreamReader(limit=1001)  # aiosmtpd's stream limit: its line length limit
        reading = asyncio.ensure_future(read_body(reader, data_size_limit, 1001))
        for piece in pieces:
            reader.feed_data(piece)
            await asyncio.sleep(0)  # one round of the loop: the reader takes what it can before the next piece
        reader.feed_eof()
        body = await reading
        return body, await reader.read()
    # In a thread of its own: a test process that has driven the browser (Playwright's sync API) keeps an event
    # loop running in its main thread, where asyncio.run() refuses to start another.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


def test_dots_are_unstuffed_a_bare_lf_ends_no_line_and_what_follows_the_end_mark_stays_in_the_stream():
    body, rest = _read([TRICKY + b".\r\nMAIL FROM:<>\r\n"])
    assert body.refusal is None
    assert body.content == TRICKY_UNSTUFFED
    assert rest == b"MAIL FROM:<>\r\n"


@pytest.mark.parametrize("split", range(1, len(TRICKY) + 3))
def test_a_body_split_anywhere_across_reads_is_read_the_same(split):
    data = TRICKY + b".\r\nQUIT\r\n"
    body, rest = _read([data[:split], data[split:]])
    assert (body.content, body.refusal, rest) == (TRICKY_UNSTUFFED, None, b"QUIT\r\n")


def test_a_body_arriving_one_byte_at_a_time_is_read_the_same():
    data = TRICKY + b".\r\nQUIT\r\n"
    body, rest = _read([data[n:n + 1] for n in range(len(data))])
    assert (body.content, rest) == (TRICKY_UNSTUFFED, b"QUIT\r\n")


@pytest.mark.parametrize("pieces", [[b".\r\n"], [b".", b"\r", b"\n"], [b".\r\nRSET\r\n"]])
def test_a_dot_right_after_data_is_an_empty_body(pieces):
    body, rest = _read(pieces)
    assert (body.content, body.refusal) == (b"", None)
    assert rest == b"".join(pieces)[3:]


def test_a_line_that_is_only_a_dot_after_an_empty_line_ends_the_body_there():
    body, rest = _read([b"\r\n", b".\r", b"\nNOOP\r\n"])
    assert (body.content, rest) == (b"\r\n", b"NOOP\r\n")


def test_a_long_body_in_many_reads_keeps_every_line():
    lines = [b"." * (n % 3) + b"line %d " % n + b"x" * 60 + b"\r\n" for n in range(3000)]
    data = b"".join(lines) + b".\r\n"
    body, _rest = _read([data[n:n + 4093] for n in range(0, len(data), 4093)])
    assert body.content == b"".join(line[1:] if line.startswith(b".") else line for line in lines)


def test_a_body_over_the_size_limit_is_refused_after_its_end_mark_and_nothing_after_it_is_read():
    body, rest = _read([b"x" * 900 + b"\r\n"] * 5 + [b".\r\nQUIT\r\n"], data_size_limit=4000)
    assert (body.content, body.refusal, rest) == (b"", TOO_MUCH, b"QUIT\r\n")
    exactly = b"y" * 998 + b"\r\n"  # 4 lines of 1,000 bytes: just at the limit
    body, _rest = _read([exactly * 4 + b".\r\n"], data_size_limit=4000)
    assert (body.content, body.refusal) == (exactly * 4, None)


def test_a_line_over_1001_bytes_is_refused_with_500():
    body, rest = _read([b"ok\r\n" + b"z" * 1000 + b"\r\nok\r\n.\r\nQUIT\r\n"])
    assert (body.content, body.refusal, rest) == (b"", TOO_LONG, b"QUIT\r\n")
    body, _rest = _read([b"." + b"z" * 998 + b"\r\n.\r\n"])  # 998 + a stuffed dot + CRLF: allowed
    assert (body.content, body.refusal) == (b"z" * 998 + b"\r\n", None)


def test_a_connection_closed_before_the_end_mark_is_an_incomplete_read():
    with pytest.raises(asyncio.IncompleteReadError):
        _read([b"Subject: x\r\n\r\nhalf a message\r\n."])


class _Recording:
    def __init__(self):
        self.contents: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.contents.append(envelope.original_content)
        return "250 OK"


class _Server(Controller):
    def __init__(self, handler, smtp_class):
        super().__init__(handler, hostname="127.0.0.1", port=free_port(), server_hostname="prov.local")
        self.smtp_class = smtp_class

    def factory(self):
        return self.smtp_class(self.handler, **self.SMTP_kwargs)


def _converse(port: int, bodies: list[bytes]) -> list[bytes]:
    """Send each body (as given: stuffed, with its end mark) in one message over a raw connection; return the
    server's answers to the bodies."""
    answers = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        stream = connection.makefile("rb")

        def answer() -> bytes:
            line = stream.readline()
            while line[3:4] == b"-":
                line = stream.readline()
            return line

        answer()
        connection.sendall(b"EHLO prov\r\n")
        answer()
        for body in bodies:
            connection.sendall(b"MAIL FROM:<>\r\n")
            answer()
            connection.sendall(b"RCPT TO:<bounces+x@example.org>\r\n")
            answer()
            connection.sendall(b"DATA\r\n")
            answer()
            connection.sendall(body)
            answers.append(answer()[:3])
        connection.sendall(b"QUIT\r\n")
    return answers


def test_the_inbox_server_answers_and_stores_what_aiosmtpd_would_for_the_same_bodies():
    bodies = [TRICKY + b".\r\n", b".\r\n", b"\r\n.\r\n", b"x" * 1200 + b"\r\n.\r\n", b"a\nb\r\n..\r\n.\r\n",
              b"Subject: \xc3\xa5\r\n\r\n\xff\xfe\r\n.\r\n"]
    results = []
    for smtp_class in (SMTP, BounceSMTP):
        handler = _Recording()
        server = _Server(handler, smtp_class)
        server.start()
        try:
            results.append((_converse(server.port, bodies), handler.contents))
        finally:
            server.stop()
    assert results[1] == results[0]
    assert results[0][0] == [b"250", b"250", b"250", b"500", b"250", b"250"]


@pytest.mark.parametrize("argument", [
    "<>", "<> SIZE=100", "<>  SIZE=100 BODY=8BITMIME", "<>\tSIZE=1", "<bounces+abc-def@x.se>",
    "<bounces+abc-def@x.se> SIZE=100", "<a@b.se>  BODY=8BITMIME", "<a@b.se>\tSIZE=5", "<a@b.se> ", "<a@b.se>x",
    '<"a b"@x.se>', "a@b.se", "<@relay:a@b.se>", "<a(c)@b.se>", "<a@[1.2.3.4]>", "<a.@b.se>", "<a..b@b.se>",
    "< a@b.se >", "<Å@b.se>", "<a@b.se.>", "<a@b>", "<a@b.se", "", "<abcdefghij@x.se>"])
@pytest.mark.parametrize("local_part_limit", [0, 5])
def test_the_inbox_reads_a_mail_or_rcpt_address_as_aiosmtpd_does(argument, local_part_limit):
    server = BounceSMTP.__new__(BounceSMTP)  # _getaddr uses nothing of a session
    server.local_part_limit = local_part_limit
    assert server._getaddr(argument) == SMTP._getaddr(server, argument)
