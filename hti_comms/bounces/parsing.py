"""Understanding what came back: RFC 3464 delivery reports, RFC 5965 feedback reports (complaints), the many
non-standard bounce formats (GNU Mailman's flufl.bounce), and automatic replies (RFC 3834) that are neither."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime

from .. import clock

#: A VERP token anywhere in the text: base36 outbox id, '-', 16 base32 characters of signature.
_TOKEN = r"([0-9a-z]{1,12}-[a-z2-7]{16})"
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
#: Subjects of automatic replies in Swedish and English (vacation, out of office, auto-reply).
_AUTO_SUBJECT = re.compile(
    r"(?i)\b(fr[åa]nvaro|fr[åa]nvarande|semester|ledig|autosvar|automatiskt svar|automatisk svar|"
    r"out of (the )?office|vacation|auto[- ]?reply|automatic reply|autoreply|away from)")
_DAEMON = re.compile(r"(?i)^(mailer-daemon|postmaster|mail delivery (sub)?system)")


@dataclass(frozen=True)
class Failure:
    """One recipient a report is about."""

    email: str | None
    #: Enhanced status ("5.1.1"), "" when the report gives none.
    status: str = ""
    #: RFC 3464 Action: failed, delayed, delivered, relayed, expanded ("failed" for non-standard bounces).
    action: str = "failed"
    diagnostic: str = ""

    @property
    def is_failure(self) -> bool:
        return self.action == "failed"

    @property
    def is_permanent(self) -> bool:
        """Return whether the address itself is refused for good (unknown user, domain gone).

        x.2.2 (mailbox full) is persistent but transient by RFC 3463, and x.7.x (refused by policy, often as
        spam) is about our message rather than the address: both are counted as soft bounces.
        """
        match = _STATUS.search(self.status or "")
        if match is None:
            return False
        klass, subject, detail = match.groups()
        return klass == "5" and not (subject == "2" and detail == "2") and subject != "7"


@dataclass
class Reading:
    """What one message that came back says."""

    #: "complaint", "delivery_report", "bounce" (non-standard), "auto_reply" or "unknown".
    form: str
    subject: str = ""
    sender: str = ""
    reported_at: datetime | None = None
    failures: list[Failure] = field(default_factory=list)
    #: Feedback-Type of a complaint ("abuse").
    feedback_type: str = ""
    #: Addresses the message (or the report) was sent to: where the VERP token is looked for first.
    envelope_addresses: list[str] = field(default_factory=list)
    #: Lower-case text of the whole message: the token is looked for here when no address carries it.
    text: str = ""

    def tokens(self, local_part: str, domain: str) -> list[str]:
        """Return the VERP tokens found, those in envelope addresses first (in order, without repeats)."""
        pattern = re.compile(re.escape(local_part) + r"\+" + _TOKEN + "@" + re.escape(domain))
        found = []
        for address in (*self.envelope_addresses, self.text):
            for token in pattern.findall(address.lower()):
                if token not in found:
                    found.append(token)
        return found


def parse_message(raw: bytes, envelope_to: list[str] | tuple[str, ...] = ()) -> Reading:
    """Return what the message says (never raises for a malformed message: it is then "unknown")."""
    message = message_from_bytes(raw, policy=policy.compat32)
    parts = {}
    for part in message.walk():  # once: the report parts by type, the first of each
        parts.setdefault(part.get_content_type(), part)
    reading = Reading(form="unknown", subject=_header(message, "Subject")[:300],
                      sender=parseaddr(_header(message, "From"))[1][:254],
                      reported_at=_date(_header(message, "Date")),
                      envelope_addresses=[*envelope_to, *(_header(message, name) for name in (
                          "X-Original-To", "Delivered-To", "Envelope-To", "To"))],
                      text=_all_text(message, raw))
    feedback = parts.get("message/feedback-report")
    if feedback is not None:
        return _complaint(reading, feedback)
    status = parts.get("message/delivery-status")
    if status is not None:
        _delivery_report(reading, status)
        if reading.failures:
            return reading
    if _is_auto_reply(message, reading):
        reading.form = "auto_reply"
        return reading
    _flufl(reading, message)
    return reading


def _all_text(message: Message, raw: bytes) -> str:
    """Return the message as lower-case text, with every part decoded (a returned message may be base64)."""
    pieces = [raw.decode("latin-1")]
    if b"Content-Transfer-Encoding" not in raw and b"content-transfer-encoding" not in raw.lower():
        return pieces[0].lower()
    for part in message.walk():
        if part.get("Content-Transfer-Encoding", "").lower() in ("base64", "quoted-printable"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                pieces.append(payload.decode("latin-1"))
    return "\n".join(pieces).lower()


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    if value is None:
        return ""
    if isinstance(value, str) and "=?" not in value:  # no encoded words (most headers): nothing to decode
        return " ".join(value.split())
    try:
        from email.header import decode_header, make_header

        return " ".join(str(make_header(decode_header(str(value)))).split())
    except (LookupError, UnicodeError, ValueError):
        return " ".join(str(value).split())


def _date(text: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return clock.as_utc(moment)


def _field_blocks(part: Message) -> list[dict[str, str]]:
    """Return the header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):  # the email package parses these parts into one sub-message per block
        return [{k.lower(): " ".join(str(v).split()) for k, v in block.items()} for block in payload]
    text = payload if isinstance(payload, str) else ""
    if part.get("Content-Transfer-Encoding", "").lower() in ("base64", "quoted-printable"):
        text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    blocks, current, last = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, None
        elif line[:1] in " \t" and last:
            current[last] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            last = name.strip().lower()
            current[last] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _address(value: str) -> str | None:
    """Return the address of an RFC 3464 address field ("rfc822; eva@example.se"), or None when hidden."""
    address = value.partition(";")[2] if ";" in value else value
    address = address.strip().strip("<>").lower()
    return address if "@" in address else None


def _delivery_report(reading: Reading, part: Message) -> None:
    reading.form = "delivery_report"
    blocks = _field_blocks(part)
    per_message, recipients = (blocks[0], blocks[1:]) if len(blocks) > 1 else ({}, blocks)
    reading.reported_at = _date(per_message.get("arrival-date", "")) or reading.reported_at
    for block in recipients:
        email = _address(block.get("final-recipient", "")) or _address(block.get("original-recipient", ""))
        status = _STATUS.search(block.get("status", ""))
        reading.failures.append(Failure(
            email=email, status=status.group(0) if status else "", action=block.get("action", "").lower(),
            diagnostic=block.get("diagnostic-code", "").partition(";")[2].strip() or block.get("diagnostic-code", "")))
        reading.reported_at = _date(block.get("last-attempt-date", "")) or reading.reported_at


def _complaint(reading: Reading, part: Message) -> Reading:
    reading.form = "complaint"
    fields: dict[str, str] = {}
    for block in _field_blocks(part):
        for name, value in block.items():
            fields.setdefault(name, value)
    reading.feedback_type = fields.get("feedback-type", "abuse").lower()[:40]
    reading.reported_at = (_date(fields.get("arrival-date", "")) or _date(fields.get("received-date", ""))
                           or reading.reported_at)
    email = _address(fields.get("original-rcpt-to", ""))
    reading.failures.append(Failure(email=email, status=reading.feedback_type, action="complaint"))
    return reading


def _is_auto_reply(message: Message, reading: Reading) -> bool:
    """Return whether this is an automatic reply by a person's mailbox (vacation, out of office)."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    from_daemon = bool(_DAEMON.match(reading.sender)) or bool(_DAEMON.match(_header(message, "From")))
    if from_daemon:
        return False
    return (auto_submitted.startswith("auto-replied") or bool(_header(message, "X-Autoreply"))
            or bool(_header(message, "X-Autorespond")) or _header(message, "Precedence").lower() == "auto_reply"
            or bool(_AUTO_SUBJECT.search(reading.subject)))


def _flufl(reading: Reading, message: Message) -> None:
    """Read a non-standard bounce with flufl.bounce's detectors (Exim, Microsoft, old Postfix and many more)."""
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(message)
    except Exception:  # noqa: BLE001 - a detector failing on a strange message means: not understood
        return
    diagnostic = _STATUS.search(reading.text)
    for addresses, status in ((permanent, "5.0.0"), (temporary, "4.0.0")):
        for address in sorted(addresses):
            text = address.decode("utf-8", "replace") if isinstance(address, bytes) else str(address)
            found = diagnostic.group(0) if diagnostic and diagnostic.group(1) == status[0] else status
            reading.failures.append(Failure(email=text.strip().strip("<>").lower() or None, status=found))
    if reading.failures:
        reading.form = "bounce"
