"""What an SMTP server's replies and a lost connection mean: read a reply, say in Swedish where it went wrong."""
from __future__ import annotations

import enum
import re
import smtplib

class Phase(enum.Enum):
    """Where a conversation with the server is, in the words staff read in an error ("… medan …")."""

    CONNECT = "förbindelsen öppnades"
    GREETING = "servern hälsade, inloggningen eller STARTTLS pågick"
    COMMANDS = "avsändaren och mottagaren angavs (MAIL FROM, RCPT TO, DATA)"
    DATA = "brevet lämnades över"
    #: The whole message, final dot included, is with the server: from here on it may have kept the message.
    FINAL_REPLY = "vi väntade på serverns svar efter brevets sista rad"


def reply_text(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


_ENHANCED_STATUS = re.compile(r"\b[45]\.7\.\d{1,3}\b")


def is_relay_or_auth_refusal(code: int, error: str) -> bool:
    """Return whether a refusal says the server will not relay for us or wants a login (x.7.x + a keyword)."""
    lowered = error.lower()
    return code >= 500 and bool(_ENHANCED_STATUS.search(error)) and any(
        word in lowered for word in ("relay", "authentication", "not authenticated", "sender"))


def describe_failure(exc: BaseException, phase: Phase, settings) -> str:
    """Return what went wrong in Swedish, naming the phase (and its timeout from `settings`, an `SmtpSettings`,
    when that ran out)."""
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
