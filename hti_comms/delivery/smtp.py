"""One persistent SMTP connection that sends a message and says what happened, in outbox terms."""
from __future__ import annotations

import enum
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..config_sections import SMTP_PHASE_TIMEOUTS
from .smtp_replies import Phase, describe_failure, is_relay_or_auth_refusal, reply_text
from .smtp_wire import KernelTimed, PythonTimed, read_reply

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class Outcome(enum.Enum):
    SENT = "sent"
    DEFERRED = "deferred"   # 4xx, or the connection failed before the final dot was handed over
    FAILED = "failed"       # 5xx
    #: The final dot was handed over, then no reply came (a reset, a close, a timeout): maybe delivered.
    UNKNOWN = "unknown"
    NOT_SENT = "not_sent"   # never handed to the server (its send was stopped, or its lease ran out)


class Fault(enum.Enum):
    """Whose fault a refusal is, when it is not about the one message or recipient."""

    #: The server refuses the sender, the login or the relaying: every message would be refused alike,
    #: until someone fixes the configuration. The send is paused at once.
    SENDER = "sender"
    #: The server cannot be reached, closes the connection or is busy (421, 4xx to MAIL FROM): temporary,
    #: but the same for every message. Several in a row pause the send.
    SERVER = "server"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    error: str | None = None
    #: A permanent refusal of the recipient address (5xx to RCPT): never send list mail there again.
    is_hard_bounce: bool = False
    fault: Fault | None = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "none"      # none | starttls | ssl
    username: str | None = None
    password: str | None = None
    #: Seconds for each phase of a conversation with the server (see `Phase`): a server that stops answering
    #: costs the timeout of the phase it stopped in, and the phase decides what the outbox records.
    connect_timeout: float = SMTP_PHASE_TIMEOUTS["SMTP_CONNECT_TIMEOUT"]
    greeting_timeout: float = SMTP_PHASE_TIMEOUTS["SMTP_GREETING_TIMEOUT"]
    command_timeout: float = SMTP_PHASE_TIMEOUTS["SMTP_COMMAND_TIMEOUT"]
    data_timeout: float = SMTP_PHASE_TIMEOUTS["SMTP_DATA_TIMEOUT"]
    final_reply_timeout: float = SMTP_PHASE_TIMEOUTS["SMTP_FINAL_REPLY_TIMEOUT"]

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpSettings:
        return cls(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), security=config["SMTP_SECURITY"],
                   username=config.get("SMTP_USERNAME"), password=config.get("SMTP_PASSWORD"),
                   connect_timeout=config["SMTP_CONNECT_TIMEOUT"], greeting_timeout=config["SMTP_GREETING_TIMEOUT"],
                   command_timeout=config["SMTP_COMMAND_TIMEOUT"], data_timeout=config["SMTP_DATA_TIMEOUT"],
                   final_reply_timeout=config["SMTP_FINAL_REPLY_TIMEOUT"])


class _TimedConnect:
    """Open the connection within the connect timeout, then wait for the greeting within the client's timeout;
    tell the owner when the connection is open (from then on a stall is the greeting's)."""

    def __init__(self, settings: SmtpSettings, owner: SmtpConnection, **options):
        self._settings, self._owner = settings, owner
        super().__init__(settings.host, settings.port, timeout=settings.greeting_timeout, **options)

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, self._settings.connect_timeout)
        sock.settimeout(timeout)
        self._owner.phase = Phase.GREETING
        return sock


class _Client(_TimedConnect, smtplib.SMTP):
    pass


class _TlsClient(_TimedConnect, smtplib.SMTP_SSL):
    pass


class BuildFailed(Exception):
    """The message could not be built (its error is the cause); the server was told to forget the transaction."""


class SmtpConnection:
    """A connection opened on first use, reused for many messages, reopened after a failure."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        #: Where the conversation is; what a lost connection or a timeout means depends on it.
        self.phase = Phase.CONNECT
        #: Whether the server advertised PIPELINING (RFC 2920): MAIL, RCPT and DATA then go in one write.
        self.pipelining = False
        self._wire: KernelTimed | PythonTimed | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        self.phase = Phase.CONNECT
        if s.security == "ssl":
            smtp = _TlsClient(s, self, context=ssl.create_default_context())
        else:
            smtp = _Client(s, self)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if s.username:
                smtp.login(s.username, s.password or "")
        except BaseException:
            smtp.close()
            raise
        self.pipelining = smtp.has_extn("pipelining")
        self._wire = PythonTimed(smtp) if isinstance(smtp.sock, ssl.SSLSocket) else KernelTimed(smtp)
        return smtp

    def close(self) -> None:
        """Say QUIT if the connection is alive, and forget it."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.sock.settimeout(self.settings.command_timeout)
            smtp.quit()
        except (smtplib.SMTPException, OSError, AttributeError):
            smtp.close()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _refused(self, code: int, message, *, stage: str) -> Delivery:
        """Classify a refusal at `stage` ("mail", "rcpt", "data" or "end")."""
        error = reply_text(code, message)
        if stage == "end" and not 400 <= code < 600:
            # After the final dot anything but a refusal leaves the message's fate open: it may have been kept.
            self._drop()
            return Delivery(Outcome.UNKNOWN, f"Servern svarade oväntat efter brevets sista rad ({error}); brevet kan "
                                             "ha kommit fram.")
        if code == 421 or code < 200:
            self._drop()  # 421: the server is closing the connection (after the final dot: it did not take it)
            return Delivery(Outcome.DEFERRED, error, fault=Fault.SERVER)
        self._reset()
        if code in (530, 535) or (stage in ("mail", "rcpt") and is_relay_or_auth_refusal(code, error)):
            return Delivery(Outcome.DEFERRED, error, fault=Fault.SENDER)
        if stage == "mail":
            # A refused MAIL FROM is about the sender, never about one recipient.
            return Delivery(Outcome.DEFERRED, error, fault=Fault.SENDER if code >= 500 else Fault.SERVER)
        if 500 <= code < 600:
            return Delivery(Outcome.FAILED, error, is_hard_bounce=stage == "rcpt")
        return Delivery(Outcome.DEFERRED, error)

    def _reset(self) -> None:
        if self._smtp is None:
            return  # already dropped: the server forgets the transaction with the connection
        if not self._wire.for_smtplib(self.settings.command_timeout):
            self._drop()
            return
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _built(self, message: bytes | Callable[[], bytes], pending_replies: int) -> bytes:
        """Return the message, building it if it is a function; on a build error end the transaction (the server
        still owes `pending_replies` replies) and raise BuildFailed."""
        if not callable(message):
            return message
        try:
            return message()
        except Exception as exc:
            if pending_replies == 1:
                try:
                    read_reply(self._wire)
                except (smtplib.SMTPException, OSError):
                    self._drop()
                else:
                    self._reset()
            else:
                self._drop()  # DATA may have been accepted: only closing the connection ends it without a message
            raise BuildFailed(str(exc)) from exc

    def _pipelined_replies(self, wire: KernelTimed | PythonTimed) -> Delivery | None:
        """Read the replies to MAIL, RCPT and DATA sent in one write; return the refusal of the first one refused,
        or None when the server waits for the message."""
        refusal = None
        for stage, accepted in (("mail", (250,)), ("rcpt", (250, 251)), ("data", (354,))):
            code, reply = read_reply(wire)
            if code == 421:
                return self._refused(code, reply, stage=stage)  # the server is closing: no more replies come
            if refusal is None and code not in accepted:
                refusal = (code, reply, stage)
            elif refusal is not None and stage == "data" and code == 354:
                # The server wants a message although the transaction failed: close rather than send an empty one.
                self._drop()
        if refusal is None:
            return None
        code, reply, stage = refusal
        return self._refused(code, reply, stage=stage)

    def send(self, envelope_from: str, recipient: str, message: bytes | Callable[[], bytes]) -> Delivery:
        """Send one message to one recipient and classify the result (never raises for SMTP trouble).

        `message` may be a function that builds it: it is called once the first command is on its way, so the
        building overlaps the server's reply. If it raises, the transaction is ended and BuildFailed raised.

        Until the final dot has been handed over, a lost connection or a timeout means the server cannot have
        taken the message: it is sent again later. After it, the server may have kept the message whatever
        happens to the connection (a reset, a close, no reply in time): the outcome is unknown, and the message
        is never sent again without a person deciding.
        """
        s = self.settings
        try:
            if self._smtp is None:
                self._smtp = self._open()
            # One message is four commands and replies; smtplib's mail(), rcpt() and getreply() parse every
            # address and reply line with more Python than the bytes need. The addresses were validated at
            # enqueue (no spaces, brackets or line breaks), so the commands are written as they are.
            wire = self._wire
            self.phase = Phase.COMMANDS
            wire.commands(s.command_timeout)
            mail = b"MAIL FROM:<" + envelope_from.encode("ascii") + b">\r\n"
            rcpt = b"RCPT TO:<" + recipient.encode("ascii") + b">\r\n"
            if self.pipelining:
                wire.send(mail + rcpt + b"DATA\r\n")
                message = self._built(message, pending_replies=3)
                refusal = self._pipelined_replies(wire)
                if refusal is not None:
                    return refusal
            else:
                wire.send(mail)
                message = self._built(message, pending_replies=1)
                code, reply = read_reply(wire)
                if code != 250:
                    return self._refused(code, reply, stage="mail")
                wire.send(rcpt)
                code, reply = read_reply(wire)
                if code not in (250, 251):
                    return self._refused(code, reply, stage="rcpt")
                wire.send(b"DATA\r\n")
                code, reply = read_reply(wire)
                if code != 354:
                    return self._refused(code, reply, stage="data")
            payload = _LEADING_DOT.sub(b"..", message) if message.startswith(b".") or b"\n." in message else message
            if not payload.endswith(CRLF):
                payload += CRLF
            self.phase = Phase.DATA
            wire.hand_over(payload + b".\r\n", s.data_timeout)  # one copy of the message, not two
            self.phase = Phase.FINAL_REPLY
            wire.replies(s.final_reply_timeout)
            code, reply = read_reply(wire)
            if code == 250:
                return Delivery(Outcome.SENT)
            return self._refused(code, reply, stage="end")
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            return Delivery(Outcome.DEFERRED, f"SMTP-inloggningen misslyckades: {reply_text(exc.smtp_code, exc.smtp_error)}",
                            fault=Fault.SENDER)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            if isinstance(exc, smtplib.SMTPNotSupportedError) or (
                    isinstance(exc, ssl.SSLError) and self.phase in (Phase.CONNECT, Phase.GREETING)):
                # STARTTLS or the certificate does not work: the same for every message until the settings
                # change. (A TLS error later, in the middle of a message, is a lost connection like any other.)
                return Delivery(Outcome.DEFERRED, f"Säker förbindelse till e-postservern gick inte att öppna: "
                                                  f"{exc!r}", fault=Fault.SENDER)
            what = describe_failure(exc, self.phase, s)
            if self.phase is Phase.FINAL_REPLY:
                # A reset (RST) says nothing about whether the server read and kept the data before it: only
                # the phase does.
                return Delivery(Outcome.UNKNOWN, f"Okänt om brevet kom fram: {what}. Servern hade fått hela "
                                                 "brevet och kan ha tagit emot det.")
            return Delivery(Outcome.DEFERRED, f"Kunde inte skicka: {what}.", fault=Fault.SERVER)
