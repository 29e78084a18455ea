"""A person's data across every domain: export on request and erasure (the GDPR's access and erasure).

Each domain declares its share in its `Domain.personal_data` (an exporter and an eraser, as pretix's
shredders do); these functions walk all of them, so a new domain that stores something about people plugs in
with one function each and no central code changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import clock
from .domain import registry


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
        "om": "Detta är alla uppgifter som SPF Seniorerna har sparat om dig för Hemtjänstindex utskick.",
        "exporterad": _time(clock.now()),
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
