"""The staff log's share of a person's data: the rows outside the embargo log that name them by address.

The embargo log's rows (those with a year) are the publication domain's to export and pseudonymise, since it
knows which municipalities and years are the person's (`hti_comms.publication.personal_data`). A staff log row is
a record of what staff did, so it stays; the person's address in it is replaced by their pseudonym.
"""
from __future__ import annotations

from ..extensions import db
from ..personal_data import Person, timestamp
from .services import mentioning


def _rows(person: Person):
    return [entry for entry in mentioning(person) if entry.year is None and (
        person.mentions(entry.actor, by_name=False) or person.mentions(entry.target, by_name=False)
        or person.mentions(entry.detail, by_name=False))]


def export(person: Person) -> list[dict]:
    return [{"tid": timestamp(entry.at), "vem": entry.actor, "vad": entry.action, "vilket": entry.target,
             "detaljer": entry.detail} for entry in _rows(person)]


def erase(person: Person) -> int:
    rows = _rows(person)
    for entry in rows:
        entry.actor = person.redact(entry.actor, by_name=False)[:255]
        entry.target = person.redact(entry.target, by_name=False)[:300]
        entry.detail = person.redact(entry.detail, by_name=False)
    db.session.flush()
    return len(rows)
