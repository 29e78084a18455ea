"""A local SMTP server (aiosmtpd) that accepts every message and keeps it, for development and tests."""
from __future__ import annotations

import base64
import logging
import re
import socket
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING
from urllib.parse import unquote

from sqlalchemy import delete, select

from .. import clock
from ..extensions import db
from .models import SinkMessage

if TYPE_CHECKING:
    from aiosmtpd.controller import Controller

SINK_HOST = "127.0.0.1"
log = logging.getLogger(__name__)
#: A reference to an inline part in HTML (RFC 2392; the id is URL-encoded there).
_CID_URL = re.compile(r"""cid:([^"'\s)>]+)""", re.IGNORECASE)
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9][a-z0-9.+-]*")
#: The most characters of a text attachment (a calendar invitation) Testpost shows on its page.
SHOWN_TEXT_CHARACTERS = 20_000


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((SINK_HOST, 0))
        return probe.getsockname()[1]


def parse(raw: bytes) -> EmailMessage:
    """Parse message bytes with the standard library's modern policy."""
    return message_from_bytes(raw, policy=policy.default)


class StoringHandler:
    """aiosmtpd handler that passes each accepted message to `store(mail_from, rcpt_tos, raw)`."""

    def __init__(self, store: Callable[[str, list[str], bytes], None]):
        self.store = store

    async def handle_DATA(self, server, session, envelope) -> str:
        try:
            self.store(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        except Exception:
            # E.g. the database was busy: a temporary refusal makes the sender try again later.
            log.exception("the mail sink could not keep a message")
            return "451 4.3.0 Could not store the message, try again later"
        return "250 OK: message kept"


class MemorySink:
    """Keeps messages in memory; what the `mail_sink` test fixture is."""

    def __init__(self):
        self.raw_messages: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._condition = threading.Condition()
        self.controller: Controller | None = None
        self.port = 0

    @property
    def messages(self) -> list[EmailMessage]:
        with self._condition:
            return [parse(raw) for raw in self.raw_messages]

    def store(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
        with self._condition:
            self.raw_messages.append(raw)
            self.envelopes.append((mail_from, rcpt_tos))
            self._condition.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; return them (raise AssertionError on timeout)."""
        with self._condition:
            arrived = self._condition.wait_for(lambda: len(self.raw_messages) >= count, timeout)
        if not arrived:
            raise AssertionError(f"the mail sink got {len(self.raw_messages)} messages, expected {count}")
        return self.messages

    def clear(self) -> None:
        with self._condition:
            self.raw_messages.clear()
            self.envelopes.clear()

    def start(self, port: int | None = None, handler=None, **server_options) -> MemorySink:
        """Listen on 127.0.0.1; `server_options` go to aiosmtpd (e.g. tls_context, authenticator)."""
        # Imported here: the staff pages read stored messages from this module, only the sink process listens.
        from aiosmtpd.controller import Controller

        self.port = port or free_port()
        self.controller = Controller(handler or StoringHandler(self.store), hostname=SINK_HOST, port=self.port,
                                     **server_options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class DatabaseSink:
    """Stores messages in the sink_message table so that the admin's Testpost page shows them."""

    def __init__(self, app):
        self.app = app

    def store(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> None:
        subject = str(parse(raw).get("Subject", "") or "")[:500]
        with self.app.app_context():
            db.session.add(SinkMessage(received_at=clock.now(), mail_from=mail_from or "",
                                       recipients=",".join(r.lower() for r in rcpt_tos), subject=subject, raw=raw))
            db.session.commit()
            db.session.remove()


def sink_messages(limit: int = 200) -> list[SinkMessage]:
    """Return the newest messages the local sink received."""
    return list(db.session.scalars(select(SinkMessage).order_by(SinkMessage.id.desc()).limit(limit)))


def clear_sink() -> int:
    """Delete every message the local sink kept; return how many."""
    removed = db.session.execute(delete(SinkMessage)).rowcount
    db.session.commit()
    return removed


def with_inline_images(message: EmailMessage, html: str) -> str:
    """Return `html` with every cid: reference to an image of `message` replaced by a data: URL of it.

    Testpost shows the HTML in a sandboxed frame whose policy allows images only as data: URLs (hti_comms.security),
    as a mail program shows the parts the message carries; a reference to anything else is left as it is.
    """
    images = {}
    for part in message.walk():
        content_id = part.get("Content-ID")
        if content_id and part.get_content_maintype() == "image" and _CONTENT_TYPE.fullmatch(part.get_content_type()):
            images[unquote(str(content_id).strip().strip("<>"))] = part

    def data_url(match: re.Match) -> str:
        part = images.get(unquote(match.group(1)))
        if part is None:
            return match.group(0)
        encoded = base64.b64encode(part.get_payload(decode=True) or b"").decode("ascii")
        return f"data:{part.get_content_type()};base64,{encoded}"

    return _CID_URL.sub(data_url, html) if images else html


def attachments_of(message: EmailMessage) -> list[EmailMessage]:
    """Return the parts of `message` sent as attachments (files such as an .ics or a PDF), in order."""
    return [part for part in message.walk() if part.get_content_disposition() == "attachment"]


def attachment_type(part: EmailMessage) -> str:
    """Return the part's content type to send it with, or a neutral one when it is not a plain type name."""
    content_type = part.get_content_type()
    return content_type if _CONTENT_TYPE.fullmatch(content_type) else "application/octet-stream"


def shown_text(part: EmailMessage) -> str | None:
    """Return a text attachment's text (the start of a long one), or None for anything else."""
    if part.get_content_maintype() != "text":
        return None
    try:
        text = part.get_content()
    except (LookupError, UnicodeError):
        return None
    return text[:SHOWN_TEXT_CHARACTERS]
