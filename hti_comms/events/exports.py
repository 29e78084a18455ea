"""The registrations of an event as a CSV file for Excel (written by hti_comms.exports)."""
from __future__ import annotations

from ..addresses import display_address
from ..exports import csv_document
from ..formatting import format_datetime
from .models import Event, Registration
from .questions import of_event

COLUMNS = ("Status", "Plats i kön", "Namn", "E-post", "Uppdrag", "Kommun eller förening", "Behov", "Fråga",
           "Anmäld", "Avbokad")


def _when(moment) -> str:
    return format_datetime(moment) if moment else ""


def registrations_csv(event: Event, registrations: list[Registration]) -> bytes:
    """Return every registration, the waiting list numbered in its order; what people typed stays text."""
    rows = []
    position = 0
    asked = of_event(event)
    for registration in registrations:
        in_line = None
        if registration.waiting_since and registration.status.value == "waiting":
            position += 1
            in_line = position
        rows.append([registration.status.label, in_line, registration.name, display_address(registration.email),
                     registration.role, registration.organisation, registration.needs, registration.question,
                     _when(registration.registered_at or registration.waiting_since or registration.created_at),
                     _when(registration.cancelled_at),
                     *[(registration.answers or [])[i] if i < len(registration.answers or []) else ""
                       for i in range(len(asked))]])
    return csv_document([*COLUMNS, *(q.text for q in asked)], rows)


def csv_filename(event: Event) -> str:
    return f"anmalda-evenemang-{event.id}.csv"
