"""A person's data across every domain: export on request and erasure (the GDPR's access and erasure).

Each domain declares its share in its `Domain.personal_data` (an exporter and an eraser, as pretix's
shredders do); these functions walk all of them, so a new domain that stores something about people plugs in
with one function each and no central code changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import clock
from .domain import registry
from .formatting import format_datetime

#: What `export_person` puts first: a sentence about the export, and when it was made.
ABOUT, EXPORTED_AT = "om", "exporterad"
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$")


@dataclass(frozen=True)
class Person:
    """Whom an export or erasure is about: the address on file (lower-case ASCII) and the contact, if any."""

    email: str
    contact_id: int | None = None
    name: str = ""


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
    (a domain declared late may point at a contact, never the other way round).
    """
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
