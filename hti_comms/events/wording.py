"""How an event's time and state are said in Swedish, on pages, in emails and in `hti event list`."""
from __future__ import annotations

from datetime import datetime

from .. import clock
from ..formatting import format_span, relative_phrase
from .models import Event, RegistrationMode


def when_text(event: Event, now: datetime | None = None) -> str:
    """Return the event's date and time in words, e.g. 'torsdag 7 november kl. 10.00–11.30'."""
    return format_span(event.starts_at, event.ends_at, now)


def relative_text(event: Event, now: datetime | None = None) -> str:
    """Return how far away the event is as of `now` (default: the application clock): 'på torsdag', 'pågår nu'."""
    now = now or clock.now()
    if event.starts_at <= now < event.ends_at:
        return "pågår nu"
    return relative_phrase(event.starts_at, now)


def registration_text(event: Event) -> str:
    """Return whether and where one registers, in a few words."""
    if event.registration_mode is RegistrationMode.HERE:
        return "Anmälan krävs"
    if event.registration_mode is RegistrationMode.EXTERNAL:
        return "Anmälan hos mötestjänsten"
    return "Ingen anmälan krävs"
