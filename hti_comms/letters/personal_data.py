"""The letters domain's share of a person's data: the letters printed (or waiting to be printed) for them."""
from __future__ import annotations

from ..personal_data import Person, timestamp
from .services import letters_of, remove_letters_of


def export_letters(person: Person) -> list[dict]:
    if person.contact_id is None:
        return []
    return [{
        "utskick": batch.title,
        "namn": letter.name,
        "adress": ", ".join(letter.address_lines[1:]),
        "skapat": timestamp(batch.created_at),
        "utskrivet": timestamp(batch.printed_at),
    } for letter, batch in letters_of(person.contact_id)]


def erase_letters(person: Person) -> int:
    return remove_letters_of(person.contact_id) if person.contact_id is not None else 0
