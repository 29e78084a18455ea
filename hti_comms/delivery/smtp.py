"""One persistent SMTP connection that sends a message and says what happened, in outbox terms."""
from __future__ import annotations

import enum
import re
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

CRLF = b"\r\n"
_MAX_REPLY_LINE = 8193  # smtplib's _MAXLINE + 1
_LEADING_DOT = re.compile(rb"(?m)^\.")


class Outcome(enum.Enum):
    SENT = "sent"
    DEFERRED = "deferred"   # 4xx, or the connection failed before the message data was complete
    FAILED = "failed"       # 5xx
    UNKNOWN = "unknown"     # connection lost after the data, before the reply
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
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping) -> SmtpSettings:
        return cls(host=config["SMTP_HOST"], port=int(config["SMTP_PORT"]), security=config["SMTP_SECURITY"],
                   username=config.get("SMTP_USERNAME"), password=config.get("SMTP_PASSWORD"),
                   timeout=float(config.get("SMTP_TIMEOUT", 30.0)))


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


_ENHANCED_STATUS = re.compile(r"\b[45]\.7\.\d{1,3}\b")


def _is_relay_or_auth_refusal(code: int, error: str) -> bool:
    """Return whether a refusal says the server will not relay for us or wants a login (x.7.x + a keyword)."""
    lowered = error.lower()
    return code >= 500 and bool(_ENHANCED_STATUS.search(error)) and any(
        word in lowered for word in ("relay", "authentication", "not authenticated", "sender"))


def _read_reply(reader) -> tuple[int, bytes]:
    """Read one (possibly multi-line) SMTP reply; return its code and text (as smtplib's getreply does)."""
    lines = []
    while True:
        line = reader.readline(_MAX_REPLY_LINE)
        if not line:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        lines.append(line[4:].strip(b" \t\r\n"))
        if line[3:4] != b"-":
            try:
                return int(line[:3]), b"\n".join(lines)
            except ValueError:
                return -1, b"\n".join(lines)


def _was_reset(exc: BaseException) -> bool:
    """Return whether the connection was reset by the peer (smtplib wraps the OSError it got)."""
    while exc is not None:
        if isinstance(exc, ConnectionResetError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class SmtpConnection:
    """A connection opened on first use, reused for many messages, reopened after a failure."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
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
        return smtp

    def close(self) -> None:
        """Say QUIT if the connection is alive, and forget it."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()

    def _refused(self, code: int, message, *, stage: str) -> Delivery:
        """Classify a refusal at `stage` ("mail", "rcpt", "data" or "end")."""
        error = _reply(code, message)
        if code == 421 or code < 200:
            self._drop()  # 421: the server is closing the connection
            return Delivery(Outcome.DEFERRED, error, fault=Fault.SERVER)
        self._reset()
        if code in (530, 535) or (stage in ("mail", "rcpt") and _is_relay_or_auth_refusal(code, error)):
            return Delivery(Outcome.DEFERRED, error, fault=Fault.SENDER)
        if stage == "mail":
            # A refused MAIL FROM is about the sender, never about one recipient.
            return Delivery(Outcome.DEFERRED, error, fault=Fault.SENDER if code >= 500 else Fault.SERVER)
        if 500 <= code < 600:
            return Delivery(Outcome.FAILED, error, is_hard_bounce=stage == "rcpt")
        return Delivery(Outcome.DEFERRED, error)

    def _reset(self) -> None:
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def send(self, envelope_from: str, recipient: str, message: bytes) -> Delivery:
        """Send one message to one recipient and classify the result (never raises for SMTP trouble)."""
        data_sent = False
        try:
            if self._smtp is None:
                self._smtp = self._open()
            smtp = self._smtp
            # One message is four commands and replies; smtplib's mail(), rcpt() and getreply() parse every
            # address and reply line with more Python than the bytes need. The addresses were validated at
            # enqueue (no spaces, brackets or line breaks), so the commands are written as they are.
            sock, reader = smtp.sock, smtp.file
            sock.sendall(b"MAIL FROM:<" + envelope_from.encode("ascii") + b">\r\n")
            code, reply = _read_reply(reader)
            if code != 250:
                return self._refused(code, reply, stage="mail")
            sock.sendall(b"RCPT TO:<" + recipient.encode("ascii") + b">\r\n")
            code, reply = _read_reply(reader)
            if code not in (250, 251):
                return self._refused(code, reply, stage="rcpt")
            sock.sendall(b"DATA\r\n")
            code, reply = _read_reply(reader)
            if code != 354:
                return self._refused(code, reply, stage="data")
            payload = _LEADING_DOT.sub(b"..", message) if message.startswith(b".") or b"\n." in message else message
            if not payload.endswith(CRLF):
                payload += CRLF
            sock.sendall(payload + b"." + CRLF)
            data_sent = True
            code, reply = _read_reply(reader)
            if code == 250:
                return Delivery(Outcome.SENT)
            return self._refused(code, reply, stage="end")
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            return Delivery(Outcome.DEFERRED, f"SMTP-inloggningen misslyckades: {_reply(exc.smtp_code, exc.smtp_error)}",
                            fault=Fault.SENDER)
        except (smtplib.SMTPNotSupportedError, ssl.SSLError) as exc:
            # STARTTLS or the certificate does not work: the same for every message until the settings change.
            self._drop()
            return Delivery(Outcome.DEFERRED, f"Säker förbindelse till e-postservern gick inte att öppna: {exc!r}",
                            fault=Fault.SENDER)
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            self._drop()
            if data_sent and not _was_reset(exc):
                return Delivery(Outcome.UNKNOWN, f"Förbindelsen bröts efter att meddelandet skickats: {exc!r}")
            # Before the final dot was read (a reset means the server left our last bytes unread), the server
            # cannot have accepted the message: it is safe to send again.
            return Delivery(Outcome.DEFERRED, f"Kunde inte skicka: {exc!r}", fault=Fault.SERVER)
