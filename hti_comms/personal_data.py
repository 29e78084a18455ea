"""A person's data across every domain: export on request and erasure (the GDPR's access and erasure).

Each domain declares its share in its `Domain.personal_data` (an exporter and an eraser, as pretix's
shredders do, and the tables that hold it); these functions walk all of them, so a new domain that stores
something about people plugs in with one function each and no central code changes.

Most of a person's data goes with them. What must stay as evidence (the embargo audit log: who saw which
municipality's results before publication) keeps its rows, with the person replaced by a pseudonym: a random
reference made for the erasure, the same in every row it replaces, linked to nothing that names them.
`Person.mentions` finds them in free text (their address in any case, as stored in punycode or shown in
Unicode, and their name) and `Person.redact` puts the pseudonym in their place.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import Text, cast, false, func, or_
from sqlalchemy.sql import ColumnElement

from . import clock
from .addresses import display_address
from .domain import registry
from .formatting import format_datetime

#: What `export_person` puts first: a sentence about the export, and when it was made.
ABOUT, EXPORTED_AT = "om", "exporterad"
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")


#: How a pseudonym starts ("Raderad person 3F9A2C"), in the records that keep an erased person's actions.
PSEUDONYM_PREFIX = "Raderad person"


@dataclass(frozen=True)
class Person:
    """Whom an export or erasure is about: the address on file (lower-case ASCII) and the contact, if any."""

    email: str
    contact_id: int | None = None
    name: str = ""
    #: What stands for the person in the records kept after their erasure; `erase_person` makes one.
    pseudonym: str = ""

    @cached_property
    def _forms(self) -> tuple[str, ...]:
        """Return the texts that name the person: the address as stored and as shown, and the name."""
        forms = {self.email, display_address(self.email)}
        forms |= {" ".join(self.name.split())} if self.name.strip() else set()
        return tuple(sorted((form for form in forms if form), key=len, reverse=True))

    @cached_property
    def _addresses(self) -> re.Pattern:
        return _pattern(form for form in self._forms if "@" in form)

    @cached_property
    def _everything(self) -> re.Pattern:
        return _pattern(self._forms)

    def mentions(self, text: str | None, *, by_name: bool = True) -> bool:
        """Return whether `text` holds the person's address (any case, punycode or Unicode) or, `by_name`, name."""
        return bool(text) and (self._everything if by_name else self._addresses).search(text) is not None

    def redact(self, text: str, *, by_name: bool = True) -> str:
        """Return `text` with the person's address (and, `by_name`, name) replaced by their pseudonym."""
        if not text:
            return text
        if not self.pseudonym:
            raise ValueError("a person is only redacted during their erasure, which gives them a pseudonym")
        return (self._everything if by_name else self._addresses).sub(self.pseudonym, text)

    def redact_data(self, value: Any, *, by_name: bool = True) -> Any:
        """Return JSON-like data (dicts, lists, strings) with every string redacted."""
        if isinstance(value, str):
            return self.redact(value, by_name=by_name)
        if isinstance(value, dict):
            return {key: self.redact_data(item, by_name=by_name) for key, item in value.items()}
        if isinstance(value, list):
            return [self.redact_data(item, by_name=by_name) for item in value]
        return value

    def may_be_mentioned_in(self, column, *, by_name: bool = True) -> ColumnElement[bool]:
        """Return an SQL condition true for every row whose `column` (text or JSON) may mention the person.

        It may also be true for rows that do not (confirm with `mentions`): letters outside ASCII match any run of
        characters, since SQLite lowers only ASCII and JSON keeps them as \\u escapes.
        """
        forms = self._forms if by_name else tuple(form for form in self._forms if "@" in form)
        text = func.lower(cast(column, Text))
        # A person with no email address (letters only) has no address to look for.
        return or_(false(), *(text.like(_like_pattern(form), escape="\\") for form in forms))


def _pattern(forms) -> re.Pattern:
    # Whole words only: "Eva Ek" is not found inside "Eva Eklund".
    alternatives = "|".join(re.escape(form) for form in forms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)" if alternatives else r"(?!)", re.IGNORECASE)


def _like_pattern(form: str) -> str:
    pattern = []
    for character in form.lower():
        if ord(character) < 128:
            pattern.append("\\" + character if character in "%_\\" else character)
        elif not pattern or pattern[-1] != "%":
            pattern.append("%")
    return "%" + "".join(pattern) + "%"


def new_pseudonym() -> str:
    """Return a reference that stands for an erased person and tells nothing about them ("Raderad person 3F9A2C")."""
    return f"{PSEUDONYM_PREFIX} {secrets.token_hex(3).upper()}"


def _time(moment) -> str | None:
    return clock.as_utc(moment).isoformat() if moment is not None else None


def export_person(person: Person) -> dict[str, Any]:
    """Return everything stored about the person, as JSON-ready data under Swedish headings."""
    data: dict[str, Any] = {
        ABOUT: "Detta är alla uppgifter som SPF Seniorerna har sparat om dig för Hemtjänstindex utskick.",
        EXPORTED_AT: _time(clock.now()),
    }
    for label, exporter in registry().handlers("export"):
        part = exporter(person)
        if part not in (None, [], {}):
            data[label] = part
    return data


def erase_person(person: Person) -> dict[str, int]:
    """Remove the person from every domain in the caller's transaction; return rows removed per heading.

    Erasers run in the reverse of their declared order, like a teardown: what refers to a row goes before it
    (a domain declared late may point at a contact, never the other way round). Every eraser gets the same
    pseudonym for the records that must keep the person's actions.
    """
    if not person.pseudonym:
        person = replace(person, pseudonym=new_pseudonym())
    removed: dict[str, int] = {}
    for label, eraser in reversed(registry().handlers("erase")):
        count = eraser(person)
        if count:
            removed[label] = removed.get(label, 0) + int(count)
    return removed


def timestamp(moment) -> str | None:
    """Return an ISO 8601 UTC time for an export, or None."""
    return _time(moment)


@dataclass
class ReadableSection:
    """One heading of an export for people to read: records of (label, text), a list of texts, or one text."""

    heading: str
    records: list[list[tuple[str, str]]] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    text: str = ""


@dataclass
class ReadableExport:
    about: str
    exported_at: str
    sections: list[ReadableSection]


def readable_export(data: dict[str, Any]) -> ReadableExport:
    """Return an export (from `export_person`) as Swedish text to show on a page: times in Stockholm time."""
    sections = []
    for heading, part in data.items():
        if heading in (ABOUT, EXPORTED_AT):
            continue
        section = ReadableSection(heading=heading[:1].upper() + heading[1:])
        if isinstance(part, dict):
            section.records = [_record(part)]
        elif isinstance(part, list) and all(isinstance(item, dict) for item in part):
            section.records = [_record(item) for item in part]
        elif isinstance(part, list):
            section.values = [readable_value(item) for item in part]
        else:
            section.text = readable_value(part)
        sections.append(section)
    return ReadableExport(about=str(data.get(ABOUT, "")), exported_at=readable_value(data.get(EXPORTED_AT)),
                          sections=sections)


def _record(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [(label[:1].upper() + label[1:], readable_value(value)) for label, value in item.items()]


def readable_value(value: Any) -> str:
    """Return one exported value as Swedish text ("–" for nothing, times in Stockholm time)."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, str) and _ISO_TIME.match(value):
        return format_datetime(datetime.fromisoformat(value))
    if isinstance(value, list):
        return ", ".join(readable_value(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {readable_value(item)}" for key, item in value.items())
    return str(value)
