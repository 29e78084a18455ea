"""iCalendar files (built with icalendar): invitations to registered people, and the public calendar feed.

Invitations (`METHOD:REQUEST`, `METHOD:CANCEL`) are rendered once per event and version with placeholders
where the registration's UID, the attendee and the personal cancel link go; the delivery worker fills those
in for each recipient (a personal attachment, `hti_comms.delivery.personal_attachments.PersonalText`). The join link appears
only here and in registered people's emails. The public feed (`METHOD:PUBLISH`) has no attendees and no
private links.

Times carry `TZID=Europe/Stockholm` and the calendar carries that zone's VTIMEZONE with the EU rules (summer
time from 02.00 on the last Sunday of March until 03.00 on the last Sunday of October), so a calendar program
that knows nothing of Stockholm still puts the event at the right instant on both sides of a change.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .. import clock
from ..delivery.personal_attachments import placeholder
from ..markdown import render_markdown
from .links import calendar_domain, event_url
from .models import Event, EventKind, RegistrationMode

if TYPE_CHECKING:  # icalendar loads when the first calendar is made, not in every process's start-up
    from icalendar import Calendar, Timezone
    from icalendar import Event as VEvent

PRODID = "-//SPF Seniorerna//Hemtjänstindex//SV"
TZID = "Europe/Stockholm"
CALENDAR_NAME = "Hemtjänstindex – SPF Seniorerna"
#: Per-recipient values an invitation needs (recipient.fields.<key>), filled in by the delivery worker.
UID_FIELD, ATTENDEE_FIELD, CANCEL_FIELD = "calendar_uid", "attendee_cn", "cancel_url"


def _observance(component, name: str, offset_from: int, offset_to: int, first: datetime, month: int):
    component.add("tzname", name)
    component.add("tzoffsetfrom", timedelta(hours=offset_from))
    component.add("tzoffsetto", timedelta(hours=offset_to))
    component.add("dtstart", first)
    component.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
    return component


def stockholm_timezone() -> Timezone:
    """Return the VTIMEZONE of Europe/Stockholm with the EU daylight-saving rules (in force since 1996)."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    zone.add_component(_observance(TimezoneDaylight(), "CEST", 1, 2, datetime(1981, 3, 29, 2, 0), 3))
    zone.add_component(_observance(TimezoneStandard(), "CET", 2, 1, datetime(1996, 10, 27, 3, 0), 10))
    return zone


def _calendar(method: str) -> Calendar:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(stockholm_timezone())
    return calendar


def public_uid(event: Event) -> str:
    return f"hti-evenemang-{event.id}@{calendar_domain()}"


def new_registration_uid() -> str:
    """Return a new UID for one registration's invitation (random: it says nothing about the person)."""
    import uuid

    return f"hti-anmalan-{uuid.uuid4()}@{calendar_domain()}"


def public_location(event: Event) -> str:
    """Return where the event happens, as anyone may see it (never the private join link)."""
    if event.kind is EventKind.WEBBSANDNING:
        return event.stream_url or "Webbsändning (länken kommer)"
    if event.kind is EventKind.PUBLICERING:
        return "Hemtjänstindex webbplats"
    if event.registration_mode is RegistrationMode.HERE:
        return "Digitalt (länken skickas till den som är anmäld)"
    return "Digitalt"


def _description(event: Event, lines: list[str]) -> str:
    parts = []
    text = render_markdown(event.description).text
    if text:
        parts.append(text)
    if event.speakers:
        parts.append("Medverkande:\n" + "\n".join(
            f"– {s.name}" + (f", {s.title}" if s.title else "") for s in event.speakers))
    parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _vevent(event: Event, *, uid: str, sequence: int, summary: str, status: str) -> VEvent:
    from icalendar import Event as VEvent, vCalAddress

    component = VEvent()
    component.add("uid", uid)
    component.add("dtstamp", clock.now())
    component.add("sequence", sequence)
    component.add("dtstart", clock.to_stockholm(event.starts_at))
    component.add("dtend", clock.to_stockholm(max(event.ends_at, event.starts_at)))
    component.add("summary", summary)
    component.add("status", status)
    component.add("transp", "OPAQUE")
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
    if event.organiser_email:
        organiser = vCalAddress(f"mailto:{event.organiser_email}")
        if event.organiser_name:
            organiser.params["cn"] = event.organiser_name
        component.add("organizer", organiser)
    return component


def invitation(event: Event, method: str = "REQUEST", *, sequence: int | None = None) -> bytes:
    """Return the invitation for registered people (REQUEST, or CANCEL) with per-recipient placeholders.

    The UID, the attendee's name and address and the cancel link are placeholders; everything else is the
    same for every registered person of this version of the event.
    """
    from icalendar import vCalAddress

    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"not an invitation method: {method}")
    is_cancel = method == "CANCEL"
    lines = []
    if event.join_url and not is_cancel:
        lines.append(f"Anslut till mötet: {event.join_url}")
    lines.append(f"Mer om evenemanget: {event_url(event.id)}")
    if not is_cancel:
        lines.append(f"Kan du inte komma? Avboka din plats: {placeholder('fields.' + CANCEL_FIELD)}")
    component = _vevent(event, uid=placeholder("fields." + UID_FIELD),
                        sequence=event.sequence if sequence is None else sequence,
                        summary=("Inställt: " if is_cancel else "") + event.title,
                        status="CANCELLED" if is_cancel else "CONFIRMED")
    component.add("description", _description(event, lines))
    component.add("location", event.join_url or public_location(event))
    component.add("url", event.join_url or event_url(event.id))
    attendee = vCalAddress("mailto:" + placeholder("email"))
    # The name arrives quoted as an iCalendar parameter already (attendee_parameter), since names have commas.
    attendee.params["cn"] = placeholder("fields." + ATTENDEE_FIELD)
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "ACCEPTED"
    attendee.params["rsvp"] = "FALSE"
    component.add("attendee", attendee)
    calendar = _calendar(method)
    calendar.add_component(component)
    return calendar.to_ical()


def attendee_parameter(name: str) -> str:
    """Return a person's name as an iCalendar parameter value (quoted when needed), for ATTENDEE_FIELD."""
    from icalendar.parser import param_value

    cleaned = " ".join((name or "").split()) or "Deltagare"
    return param_value(cleaned)


def public_calendar(events: list[Event]) -> bytes:
    """Return a PUBLISH calendar of `events` for anyone: no attendees, no private links."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    for event in events:
        lines = []
        if event.kind is EventKind.WEBBSANDNING and event.stream_url:
            lines.append(f"Se sändningen: {event.stream_url}")
        if event.registration_mode is RegistrationMode.EXTERNAL and event.registration_url:
            lines.append(f"Anmälan: {event.registration_url}")
        elif event.registration_mode is RegistrationMode.HERE:
            lines.append(f"Anmälan krävs: {event_url(event.id)}")
        else:
            lines.append("Ingen anmälan krävs.")
        if event.registration_mode is not RegistrationMode.HERE:
            lines.append(f"Mer om evenemanget: {event_url(event.id)}")
        component = _vevent(event, uid=public_uid(event), sequence=event.sequence,
                            summary=("Inställt: " if event.is_cancelled else "") + event.title,
                            status="CANCELLED" if event.is_cancelled else "CONFIRMED")
        component.add("description", _description(event, lines))
        component.add("location", public_location(event))
        component.add("url", event_url(event.id))
        component.add("class", "PUBLIC")
        calendar.add_component(component)
    return calendar.to_ical()
