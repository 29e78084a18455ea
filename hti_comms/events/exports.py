"""The registrations of an event as a CSV file that Excel opens with å, ä and ö intact."""
from __future__ import annotations

import csv
import io

from ..addresses import display_address
from ..formatting import format_datetime
from .models import Event, Registration

COLUMNS = ("Status", "Plats i kön", "Namn", "E-post", "Uppdrag", "Kommun eller förening", "Behov", "Fråga",
           "Anmäld", "Avbokad")


def _when(moment) -> str:
    return format_datetime(moment) if moment else ""


def registrations_csv(event: Event, registrations: list[Registration]) -> bytes:
    """Return UTF-8 with a byte order mark (Excel needs it to read UTF-8) and semicolons (Swedish Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    position = 0
    for registration in registrations:
        in_line = ""
        if registration.waiting_since and registration.status.value == "waiting":
            position += 1
            in_line = str(position)
        writer.writerow([registration.status.label, in_line, _safe(registration.name),
                         display_address(registration.email), _safe(registration.role),
                         _safe(registration.organisation), _safe(registration.needs), _safe(registration.question),
                         _when(registration.registered_at or registration.waiting_since or registration.created_at),
                         _when(registration.cancelled_at)])
    return "\ufeff".encode("utf-8") + buffer.getvalue().encode("utf-8")


def _safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to Excel; what people typed must stay text (CSV injection).
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_filename(event: Event) -> str:
    return f"anmalda-evenemang-{event.id}.csv"
