"""Read the attendance reports staff have into lines of (name, address, minutes, join day).

The files come through the project's one file reader (`hti_comms.csvtext` decodes CSV in UTF-8, UTF-16 or
Windows-1252; `hti_comms.tabular` reads XLSX). Four shapes are understood:

- Zoom's webinar attendee report: sections ("Host Details", "Panelist Details", "Attendee Details", "Other
  Attended"), each with its own header row. Only the attendee sections count (hosts and panelists are staff and
  speakers), and a row whose `Attended` says "No" is someone who registered with Zoom and did not come;
- Zoom's meeting participant export (`Name (original name)`, `User Email` or `Email`, `Duration (minutes)`),
  with or without the meeting's summary rows above it;
- Microsoft Teams' attendance report (UTF-16, tab-separated, numbered sections "1. Summary", "2. Participants",
  "3. In-Meeting Activities"): only the participants section counts, its organiser left out;
- any CSV or XLSX table with an address column (and, if it has them, a name and a minutes column).

A person who left and rejoined is on several lines; the caller sums their minutes.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime

from ..csvtext import TextError, TextLines, encoding_of
from ..inputs import BadInput, check_text
from ..tabular import TableError, normalise_header, read_xlsx

EMAIL_COLUMNS = ("email", "user_email", "e_post", "e_postadress", "epost", "mejl", "mejladress", "e_mail")
NAME_COLUMNS = ("user_name_(original_name)", "name_(original_name)", "name", "namn", "full_name",
                "participant", "deltagare")
MINUTE_COLUMNS = ("time_in_session_(minutes)", "duration_(minutes)", "total_duration_(minutes)", "minutes",
                  "minuter", "in_meeting_duration", "duration", "tid_i_motet")
JOIN_COLUMNS = ("join_time", "first_join", "join_time_(utc)", "anslot")
#: Columns of the meeting's summary row, which names the host's address but is no attendee.
SUMMARY_COLUMNS = ("topic", "meeting_id", "webinar_id", "amne", "motes_id")
#: Sections of a report whose rows are not attendees.
SKIPPED_SECTIONS = ("host", "panelist", "summary", "sammanfattning", "activities", "aktiviteter")
_SECTION = re.compile(r"^(?:\d+\.\s*)?[A-Za-zÅÄÖåäö][\w\s\-åäöÅÄÖ]*$")
_TEAMS_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+)\s*s)?$")
_DATE_FORMATS = ("%b %d, %Y %H:%M:%S", "%b %d, %Y %I:%M:%S %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S",
                 "%m/%d/%y, %I:%M:%S %p", "%m/%d/%y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                 "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M")


class AttendanceFileError(ValueError):
    """The file cannot be read as an attendance report; the message is Swedish and names the line."""


@dataclass(frozen=True)
class AttendanceLine:
    line: int
    name: str
    #: As written in the file (the caller applies the one address rule).
    email: str
    minutes: int
    joined_on: date | None


def read_attendance(data: bytes, filename: str) -> tuple[list[AttendanceLine], str]:
    """Return the attendee lines of a report and the name of its shape ("Zoom-webbinarium", …)."""
    if not data or data.isspace():
        raise AttendanceFileError("Filen är tom.")
    try:
        if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
            table = read_xlsx(data)
            rows = [(1, table.columns)] + [(r.line, [r.values.get(c, "") for c in table.columns])
                                          for r in table.rows]
        else:
            rows = list(_csv_rows(data))
    except (TableError, TextError) as exc:
        raise AttendanceFileError(str(exc)) from None
    return _attendees(rows)


def _csv_rows(data: bytes):
    codec, _name, start = encoding_of(data)
    lines = list(TextLines(data, codec, start))
    sample = "".join(lines[:60])
    delimiter = max((",", ";", "\t"), key=sample.count)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, [c.strip() for c in cells]
    except csv.Error as exc:
        raise AttendanceFileError(f"Rad {reader.line_num} kan inte läsas som CSV: {exc}.") from None


def _section_title(cells: list[str]) -> str | None:
    filled = [c for c in cells if c]
    if len(filled) == 1 and cells[0] and _SECTION.match(cells[0]) and len(cells[0]) <= 60:
        return cells[0].casefold()
    return None


def _header(cells: list[str]) -> dict[str, int] | None:
    names = [normalise_header(c) for c in cells]
    if not any(n in EMAIL_COLUMNS for n in names):
        return None
    return {n: i for i, n in reversed(list(enumerate(names))) if n}


def _attendees(rows: list[tuple[int, list[str]]]) -> tuple[list[AttendanceLine], str]:
    shape, section, header, skipping = "Tabell", None, None, False
    found: list[AttendanceLine] = []
    saw_header = False
    for line, cells in rows:
        if not any(cells):
            header, skipping = None, bool(section and any(w in section for w in SKIPPED_SECTIONS))
            continue
        title = _section_title(cells)
        if title is not None and (header is None or _is_known_section(title)):
            section, header = title, None
            skipping = any(word in section for word in SKIPPED_SECTIONS)
            shape = _shape_of(title, shape)
            continue
        if header is None:
            header = _header(cells)
            if header is not None and any(n in header for n in SUMMARY_COLUMNS):
                skipping = True  # the meeting's own row ("Topic", "Meeting ID", …), not a person
            elif header is not None:
                saw_header = True
            continue
        if skipping:
            continue
        attendee = _attendee(line, cells, header)
        if attendee is not None:
            found.append(attendee)
    if not saw_header:
        raise AttendanceFileError(
            "Filen har ingen kolumn med e-postadresser (till exempel ”Email”, ”User Email” eller ”E-post”). "
            "Spara närvarorapporten från Zoom eller Teams som den är, eller en tabell med en kolumn för e-post.")
    return found, shape


def _is_known_section(title: str) -> bool:
    return title.endswith(("details", "attended")) or bool(re.match(r"^\d+\.\s", title))


def _shape_of(title: str, shape: str) -> str:
    if title.endswith("details") or title == "other attended":
        return "Zoom-webbinarium"
    if re.match(r"^\d+\.\s", title):
        return "Teams"
    return shape


def _cell(cells: list[str], header: dict[str, int], names: tuple[str, ...]) -> str:
    for name in names:
        if name in header and header[name] < len(cells):
            return cells[header[name]].strip()
    return ""


def _attendee(line: int, cells: list[str], header: dict[str, int]) -> AttendanceLine | None:
    if _cell(cells, header, ("attended", "deltog")).casefold() in ("no", "nej"):
        return None
    role = _cell(cells, header, ("role", "roll")).casefold()
    if role in ("organizer", "organisatör", "organisator"):
        return None
    name = _cell(cells, header, NAME_COLUMNS)
    if not name:
        name = " ".join(p for p in (_cell(cells, header, ("first_name", "fornamn")),
                                    _cell(cells, header, ("last_name", "efternamn"))) if p)
    email = _cell(cells, header, EMAIL_COLUMNS)
    if not email and not name:
        return None
    try:
        check_text(name, f"Rad {line}: namnet")
        check_text(email, f"Rad {line}: e-postadressen")
    except BadInput as exc:
        raise AttendanceFileError(str(exc)) from None
    return AttendanceLine(line=line, name=name, email=email,
                          minutes=_minutes(line, _cell(cells, header, MINUTE_COLUMNS)),
                          joined_on=_day(_cell(cells, header, JOIN_COLUMNS)))


def _minutes(line: int, text: str) -> int:
    text = text.strip()
    if not text:
        return 0
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return round(float(text.replace(",", ".")))
    match = _TEAMS_DURATION.match(text)
    if match and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return hours * 60 + minutes + round(seconds / 60)
    if re.fullmatch(r"\d+:\d{2}:\d{2}", text):
        hours, minutes, seconds = (int(p) for p in text.split(":"))
        return hours * 60 + minutes + round(seconds / 60)
    raise AttendanceFileError(f"Rad {line}: ”{text}” går inte att läsa som en tid i minuter.")


def _day(text: str) -> date | None:
    text = text.strip()
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
