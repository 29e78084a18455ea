"""Reading an SMTP message body (after DATA) in large pieces instead of one line at a time.

aiosmtpd reads the body with one `readuntil(b"\\r\\n")` per line: for a report of 80 lines that is 80 awaits, most
of the bounce inbox's processor time. This reader asks the stream for everything up to the end mark
`<CRLF>.<CRLF>` at once and only looks at lines afterwards, with the same rules as aiosmtpd 1.4 (RFC 5321 4.5.2,
4.5.3.1.6): a line is ended by CRLF only (a bare LF stays in the line), a leading dot is removed from every line
that has one, a line longer than 1,001 bytes with its CRLF (998 + CRLF + a stuffed dot) makes the whole message
refused with 500, and a body over the size limit with 552; either is said only after the end mark, and nothing past
the end mark is read (a pipelining client's next command stays in the stream).
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

END = b"\r\n.\r\n"
#: The line end of the DATA command itself: a body whose first line is "." is empty.
_BEFORE_BODY = b"\r\n"
TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"
TOO_MUCH = "552 Error: Too much mail data"


@dataclass(frozen=True)
class Body:
    """The message as sent (dots unstuffed), or the refusal to answer instead (`refusal`, then `content` is b"")."""

    content: bytes
    refusal: str | None = None


def _overlap(tail: bytes) -> int:
    """Return the length of the longest end of `tail` that is a beginning of END (the mark may go on after it)."""
    for length in range(min(len(tail), len(END) - 1), 0, -1):
        if tail.endswith(END[:length]):
            return length
    return 0


def _has_long_line(data: bytes, line_length_limit: int) -> bool:
    # Each piece between two CRLFs is a line without its CRLF; the limit counts the CRLF.
    return max(map(len, data.split(b"\r\n"))) + 2 > line_length_limit


async def read_body(reader: asyncio.StreamReader, data_size_limit: int | None, line_length_limit: int) -> Body:
    """Read the body after the 354 up to and including the end mark; return it unstuffed, or the refusal.

    Raises asyncio.IncompleteReadError when the connection closes before the end mark.
    """
    kept: list[bytes] = []
    received = 0  # bytes read after the 354, the end mark included
    refusal = None
    tail = _BEFORE_BODY
    while True:
        wanted = len(END) - _overlap(tail)
        if wanted < len(END):
            # What was read ends with the start of an end mark: read just the rest it would need. Reading until END
            # could miss it (its start is already out of the stream) and wait for ever.
            piece = await reader.readexactly(wanted)
        else:
            try:
                piece = await reader.readuntil(END)
            except asyncio.LimitOverrunError as error:
                # Over the stream's line limit without the end mark, or with it further on: take what is surely
                # body. The stream keeps the last bytes, where an end mark may begin.
                piece = await reader.read(error.consumed)
        received += len(piece)
        tail = (tail + piece)[-len(END):]
        if refusal is None:
            kept.append(piece)
            # The body is at least `received - 3` bytes: the end mark's ".<CRLF>" is not counted (as in aiosmtpd).
            if data_size_limit and received - 3 > data_size_limit:
                data = b"".join(kept)[:data_size_limit]
                kept.clear()  # nothing more is kept: the message is refused
                refusal = TOO_LONG if _has_long_line(data, line_length_limit) else TOO_MUCH
        if tail == END:
            break
    if refusal is not None:
        return Body(b"", refusal)
    data = b"".join(kept)[:-3]  # the end mark's ".<CRLF>"; its CRLF ends the last line
    if _has_long_line(data, line_length_limit):
        return Body(b"", TOO_LONG)
    # RFC 5321 4.5.2: remove the dot the sender put before every line that begins with one.
    content = data.replace(b"\r\n.", b"\r\n")
    if content.startswith(b"."):
        content = content[1:]
    return Body(content)
