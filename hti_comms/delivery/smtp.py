"""One persistent SMTP connection that sends a message and says what happened, in outbox terms."""
from __future__ import annotations

import enum
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass

from ..config_sections import SMTP_PHASE_TIMEOUTS

CRLF = b"\r\n"
_MAX_REPLY_LINE = 8193  # smtplib's _MAXLINE + 1
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


class Phase(enum.Enum):
    """Where a conversation with the server is, in the words staff read in an error ("… medan …")."""

    CONNECT = "förbindelsen öppnades"
    GREETING = "servern hälsade, inloggningen eller STARTTLS pågick"
    COMMANDS = "avsändaren och mottagaren angavs (MAIL FROM, RCPT TO, DATA)"
    DATA = "brevet lämnades över"
    #: The whole message, final dot included, is with the server: from here on it may have kept the message.
    FINAL_REPLY = "vi väntade på serverns svar efter brevets sista rad"


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


def _describe(exc: BaseException, phase: Phase, settings: SmtpSettings) -> str:
    """Return what went wrong in Swedish, naming the phase (and its timeout when that ran out)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, OSError):
        exc = exc.__context__  # smtplib reports a timeout or a reset while reading a reply as a disconnection
    if isinstance(exc, TimeoutError):
        limit = {Phase.CONNECT: settings.connect_timeout, Phase.GREETING: settings.greeting_timeout,
                 Phase.COMMANDS: settings.command_timeout, Phase.DATA: settings.data_timeout,
                 Phase.FINAL_REPLY: settings.final_reply_timeout}[phase]
        seconds = f"{limit:g}".replace(".", ",")
        return f"e-postservern svarade inte inom {seconds} s medan {phase.value}"
    if isinstance(exc, ConnectionRefusedError):
        return f"e-postservern gick inte att nå ({exc!r})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"e-postservern stängde förbindelsen medan {phase.value}"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return f"e-postservern bröt förbindelsen medan {phase.value} ({exc!r})"
    return f"förbindelsen bröts medan {phase.value} ({exc!r})"


class SmtpConnection:
    """A connection opened on first use, reused for many messages, reopened after a failure."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        #: Where the conversation is; what a lost connection or a timeout means depends on it.
        self.phase = Phase.CONNECT

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
        error = _reply(code, message)
        if stage == "end" and not 400 <= code < 600:
            # After the final dot anything but a refusal leaves the message's fate open: it may have been kept.
            self._drop()
            return Delivery(Outcome.UNKNOWN, f"Servern svarade oväntat efter brevets sista rad ({error}); brevet kan "
                                             "ha kommit fram.")
        if code == 421 or code < 200:
            self._drop()  # 421: the server is closing the connection (after the final dot: it did not take it)
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
            self._smtp.sock.settimeout(self.settings.command_timeout)
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def send(self, envelope_from: str, recipient: str, message: bytes) -> Delivery:
        """Send one message to one recipient and classify the result (never raises for SMTP trouble).

        Until the final dot has been handed over, a lost connection or a timeout means the server cannot have
        taken the message: it is sent again later. After it, the server may have kept the message whatever
        happens to the connection (a reset, a close, no reply in time): the outcome is unknown, and the message
        is never sent again without a person deciding.
        """
        s = self.settings
        try:
            if self._smtp is None:
                self._smtp = self._open()
            smtp = self._smtp
            # One message is four commands and replies; smtplib's mail(), rcpt() and getreply() parse every
            # address and reply line with more Python than the bytes need. The addresses were validated at
            # enqueue (no spaces, brackets or line breaks), so the commands are written as they are.
            sock, reader = smtp.sock, smtp.file
            self.phase = Phase.COMMANDS
            sock.settimeout(s.command_timeout)
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
            self.phase = Phase.DATA
            sock.settimeout(s.data_timeout)  # for the whole hand-over (sendall's timeout is its total duration)
            sock.sendall(payload + b"." + CRLF)
            self.phase = Phase.FINAL_REPLY
            sock.settimeout(s.final_reply_timeout)
            code, reply = _read_reply(reader)
            if code == 250:
                return Delivery(Outcome.SENT)
            return self._refused(code, reply, stage="end")
        except smtplib.SMTPAuthenticationError as exc:
            self._drop()
            return Delivery(Outcome.DEFERRED, f"SMTP-inloggningen misslyckades: {_reply(exc.smtp_code, exc.smtp_error)}",
                            fault=Fault.SENDER)
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            if isinstance(exc, smtplib.SMTPNotSupportedError) or (
                    isinstance(exc, ssl.SSLError) and self.phase in (Phase.CONNECT, Phase.GREETING)):
                # STARTTLS or the certificate does not work: the same for every message until the settings
                # change. (A TLS error later, in the middle of a message, is a lost connection like any other.)
                return Delivery(Outcome.DEFERRED, f"Säker förbindelse till e-postservern gick inte att öppna: "
                                                  f"{exc!r}", fault=Fault.SENDER)
            what = _describe(exc, self.phase, s)
            if self.phase is Phase.FINAL_REPLY:
                # A reset (RST) says nothing about whether the server read and kept the data before it: only
                # the phase does.
                return Delivery(Outcome.UNKNOWN, f"Okänt om brevet kom fram: {what}. Servern hade fått hela "
                                                 "brevet och kan ha tagit emot det.")
            return Delivery(Outcome.DEFERRED, f"Kunde inte skicka: {what}.", fault=Fault.SERVER)
