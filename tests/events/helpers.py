"""Builders shared by the events tests: events from wall-clock input, registrations, mail read back."""
from __future__ import annotations

from datetime import datetime

from icalendar import Calendar

from hti_comms.delivery.worker import deliver_due
from hti_comms.events.inputs import EventInput, parse_event
from hti_comms.events.registration import RegistrationInput, register
from hti_comms.events.services import create_event

JOIN_URL = "https://spfseniorerna.zoom.us/j/81234567890?pwd=hemligt"
STOCKHOLM_NOW = "2025-10-01T09:00:00+02:00"


def make_event(**overrides):
    """Create an event through the same checks staff input goes through; fail loudly on a finding."""
    values = {"kind": "kurs", "title": "Grundkurs om Hemtjänstindex", "start": "2025-11-06 10:00",
              "end": "2025-11-06 11:30", "registration": "here", "join_url": JOIN_URL,
              "speakers": "Eva Eriksson, förbundsordförande\nLars Larsson, vetenskaplig ledare",
              "description": "En introduktion till **Hemtjänstindex**."}
    values.update(overrides)
    data, findings = parse_event(EventInput(**values))
    assert data is not None, [str(f) for f in findings]
    return create_event(data)


def sign_up(event, name="Anna Andersson", email="anna@example.se", **extra):
    return register(event, RegistrationInput(name=name, email=email, **extra))


def at(text: str) -> datetime:
    """Return an aware datetime from ISO 8601 with offset."""
    return datetime.fromisoformat(text)


def calendars_in(message) -> list:
    """Return the text/calendar parts of a message: (method parameter, raw text)."""
    return [(part.get_param("method"), part.get_content()) for part in message.walk()
            if part.get_content_type() == "text/calendar"]


def invitation_of(message) -> Calendar:
    """Return the invitation of a message (the alternative part), parsed with icalendar."""
    (method, text), *_ = calendars_in(message)
    calendar = Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == method
    return calendar


def deliver(mail_sink, count: int):
    """Send what is due and return the sink's messages once `count` have arrived."""
    deliver_due()
    return mail_sink.wait_for(count)


def by_recipient(messages, email: str) -> list:
    return [m for m in messages if m["To"].addresses[0].addr_spec == email]
