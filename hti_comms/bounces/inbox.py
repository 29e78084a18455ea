"""`hti bounce-inbox`: an SMTP server (aiosmtpd) the relay forwards the bounce domain to."""
from __future__ import annotations

import logging

from flask import Flask

from ..delivery.sink import MemorySink, free_port
from ..delivery.verp import Verp
from ..extensions import db

log = logging.getLogger(__name__)


class BounceHandler:
    """Accepts mail only to bounce addresses (BOUNCE_LOCAL_PART+…@BOUNCE_DOMAIN) and processes each message."""

    def __init__(self, app: Flask):
        self.app = app
        self.verp = Verp.from_config(app.config)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if not self.verp.is_bounce_address(address):
            return "550 5.1.1 Only bounce addresses are accepted here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        from .services import process

        raw = envelope.original_content or envelope.content
        try:
            with self.app.app_context():
                try:
                    process(raw, source="smtp", envelope_to=list(envelope.rcpt_tos))
                finally:
                    db.session.remove()
        except Exception:
            # E.g. the database was busy: a temporary refusal makes the relay try again later; nothing is lost.
            log.exception("the bounce inbox could not process a message")
            return "451 4.3.0 Could not process the message, try again later"
        return "250 OK: report received"


class BounceInbox(MemorySink):
    """The bounce inbox listening on a port (MemorySink's start and stop, with the bounce handler)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int | None = None):
        super().__init__()
        self.app, self.host, self.requested_port = app, host, port

    def start(self, port: int | None = None, handler=None, **server_options) -> BounceInbox:
        from aiosmtpd.controller import Controller

        self.port = port or self.requested_port or free_port()
        self.controller = Controller(BounceHandler(self.app), hostname=self.host, port=self.port, **server_options)
        self.controller.start()
        return self
