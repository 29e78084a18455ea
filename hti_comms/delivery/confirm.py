"""The step before every staff button that sends: who gets it, counted and listed ("Skicka till 7 personer?").

Each domain's send view resolves its recipients as it will when sending, builds a `RecipientPreview` from them
and renders `web/admin/send_confirm.html`; only the confirmed post (`confirmed=1`) enqueues anything.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import request

from ..formatting import counted

#: How many recipients the confirmation step lists by name; the rest are counted.
SHOWN = 100


@dataclass(frozen=True)
class RecipientPreview:
    total: int
    #: (name, email) of the first `SHOWN` recipients.
    shown: tuple[tuple[str, str], ...]

    @property
    def rest(self) -> int:
        return self.total - len(self.shown)

    @property
    def people(self) -> str:
        return people_text(self.total)


def people_text(count: int) -> str:
    """Return "1 person" or "7 personer" (Swedish, with a thin-space thousands separator)."""
    return counted(count, "person", "personer")


def preview_recipients(recipients: Iterable, total: int | None = None, shown: int = SHOWN) -> RecipientPreview:
    """Return the count and the first names of recipients given as objects with `.email` and `.name`."""
    people = list(recipients)
    return RecipientPreview(len(people) if total is None else total,
                            tuple((person.name or "", person.email) for person in people[:shown]))


def is_confirmed() -> bool:
    """Return whether this post comes from the confirmation step (its "Ja, skicka" button)."""
    return request.method == "POST" and request.form.get("confirmed") == "1"
