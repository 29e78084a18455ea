"""Personal attachments: a file whose text differs per recipient (a calendar invitation's ATTENDEE, say).

Its text holds the placeholders of `render` (written with `placeholder("name")`, `placeholder("fields.cancel_url")`);
`PersonalText` splits it once and fills each recipient the same cheap way as the email's parts.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from .render import _PLACEHOLDER, _PLACEHOLDER_PATTERN, _Filler

_LINE_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
#: RFC 5545 3.1: content lines are folded so that none is longer than 75 octets (without the CRLF).
ICAL_LINE_OCTETS = 75


def placeholder(key: str) -> str:
    """Return the placeholder of a per-recipient value ("name", "email", "fields.<key>") for a personal attachment."""
    text = _PLACEHOLDER.format(key)
    if not _PLACEHOLDER_PATTERN.fullmatch(text):
        raise ValueError(f"not a placeholder key: {key!r}")
    return text


def _one_line(value: str) -> str:
    # A value must never start a line of its own in the attachment (a new calendar property, a new CSV row).
    return _LINE_BREAKS_AND_CONTROLS.sub(" ", value)


def fold_ical(line: str) -> str:
    """Return one iCalendar content line folded to at most 75 octets a line, never inside a UTF-8 character."""
    if len(line) * 4 <= ICAL_LINE_OCTETS:
        return line
    data = line.encode("utf-8")
    if len(data) <= ICAL_LINE_OCTETS:
        return line
    pieces: list[bytes] = []
    start, room = 0, ICAL_LINE_OCTETS
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: cut before its character instead
            end -= 1
        pieces.append(data[start:end])
        # A continuation line starts with a space, which counts towards its 75 octets.
        start, room = end, ICAL_LINE_OCTETS - 1
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


def unfold_ical(text: str) -> str:
    """Return iCalendar text with folded lines joined again (RFC 5545 3.1) and CRLF line ends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n[ \t]", "", text).replace("\n", "\r\n")


class PersonalText:
    """The text of a personal attachment, split at its placeholders and filled for each recipient.

    Values lose line breaks and control characters (a name can never add a line to the file); values that need
    format-specific escaping (an iCalendar parameter, say) go in `recipient.fields` already escaped by the
    domain. A calendar (text/calendar) is unfolded before splitting, so that a placeholder the calendar
    library folded across two lines is still found, and its filled lines are folded again.
    """

    def __init__(self, data: bytes, content_type: str):
        text = data.decode("utf-8")
        self.lines: list[str | _Filler] | None = None
        self.filler: _Filler | None = None
        if content_type.lower().startswith("text/calendar"):
            # Line by line: lines without a placeholder are folded once, here, not for every recipient.
            self.lines = [_Filler(line, escape_values=False, encode=_one_line)
                          if _PLACEHOLDER_PATTERN.search(line) else fold_ical(line)
                          for line in unfold_ical(text).split("\r\n")]
            self.keys = frozenset(key for line in self.lines if isinstance(line, _Filler) for key in line.keys)
        else:
            self.filler = _Filler(text, escape_values=False, encode=_one_line)
            self.keys = frozenset(self.filler.keys)

    def fill(self, values: Mapping[str, str]) -> bytes:
        """Return the attachment's bytes for one recipient."""
        if self.lines is None:
            return self.filler.fill(values).encode("utf-8")
        return "\r\n".join(fold_ical(line.fill(values)) if isinstance(line, _Filler) else line
                             for line in self.lines).encode("utf-8")
