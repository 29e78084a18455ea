"""`hti event …`: create, list, change, cancel, register and print the public calendar (scripts and checks)."""
from __future__ import annotations

import dataclasses
import json

import click
from flask import current_app

from .. import clock
from ..cli import hti
from ..formatting import counted
from . import services
from .calendar import public_calendar
from .inputs import EventInput, EventInputError, input_for, parse_event
from .links import event_url
from .models import Event, RegistrationStatus
from .registration import Outcome, RegistrationError, RegistrationInput, register
from .wording import relative_text, when_text

KINDS = ["kurs", "webbinarium", "publicering", "webbsandning"]


@hti.group("event")
def event_group() -> None:
    """Events: courses, webinars, the publication and webcasts."""


def _checked(raw: EventInput):
    data, findings = parse_event(raw)
    for finding in findings:
        if not finding.is_error:
            click.echo(str(finding), err=True)
    if data is None:
        raise click.ClickException("Inget sparades:\n" + str(EventInputError(findings)))
    for note in data.notes:
        click.echo(note)
    return data


def _event(event_id: int) -> Event:
    event = services.get_event(event_id)
    if event is None:
        raise click.ClickException(f"Det finns inget evenemang med id {event_id}.")
    return event


@event_group.command("create")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--title", required=True)
@click.option("--start", required=True, help='Stockholm time, "YYYY-MM-DD HH:MM".')
@click.option("--end", required=True, help='Stockholm time, "YYYY-MM-DD HH:MM".')
@click.option("--registration", type=click.Choice(["none", "here", "external"]), default=None,
              help="Default: here for kurs and webbinarium, none otherwise.")
@click.option("--registration-url", default="", help="The meeting service's registration page (external).")
@click.option("--join-url", default="", help="Private join link, sent only to registered people.")
@click.option("--stream-url", default="", help="Public stream link (webcasts).")
@click.option("--capacity", type=int, default=None)
@click.option("--description", default="", help="Markdown.")
@click.option("--speaker", "speakers", multiple=True, help='"Name, title"; repeat for several, in order.')
def create_command(kind, title, start, end, registration, registration_url, join_url, stream_url, capacity,
                   description, speakers) -> None:
    """Create an event; the last line ends with its id."""
    data = _checked(EventInput(kind=kind, title=title, start=start, end=end, registration=registration,
                               registration_url=registration_url, join_url=join_url, stream_url=stream_url,
                               capacity=capacity, description=description, speakers="\n".join(speakers)))
    event = services.create_event(data)
    click.echo(f"Sparat: ”{event.title}” ({event.kind.label.lower()}), {when_text(event)}.")
    click.echo(f"Sidan: {event_url(event.id)}")
    click.echo(f"Id: {event.id}")


def _iso(moment) -> str:
    return clock.to_stockholm(moment).isoformat()


def event_summary(event: Event, counts: dict) -> dict:
    """Return the JSON object `hti event list --format json` prints for one event (never the join link)."""
    return {
        "id": event.id, "kind": event.kind.value, "title": event.title, "start": _iso(event.starts_at),
        "end": _iso(event.ends_at), "when_text": when_text(event), "relative": relative_text(event),
        "status": event.status.value, "registration": event.registration_mode.value,
        "capacity": event.capacity, "registered": counts.get(RegistrationStatus.REGISTERED, 0),
        "waiting": counts.get(RegistrationStatus.WAITING, 0), "sequence": event.sequence,
        "url": event_url(event.id), "is_demo": event.is_demo,
    }


@event_group.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def list_command(output_format: str) -> None:
    """List every event, soonest first, with its time in words and how far away it is now."""
    counts = services.counts_by_event()
    summaries = [event_summary(e, counts.get(e.id, {})) for e in services.all_events()]
    if output_format == "json":
        click.echo(json.dumps(summaries, ensure_ascii=False, indent=2))
        return
    if not summaries:
        click.echo("Inga evenemang.")
    for s in summaries:
        state = " (inställt)" if s["status"] == "cancelled" else ""
        click.echo(f"{s['id']:>4}  {s['kind']:<12}  {s['when_text']} ({s['relative']})  {s['title']}{state}")


@event_group.command("ics")
@click.argument("event_id", type=int)
def ics_command(event_id: int) -> None:
    """Print the event's public .ics (METHOD:PUBLISH, no attendees, no private links)."""
    click.echo(public_calendar([_event(event_id)]).decode("utf-8"), nl=False)


@event_group.command("register")
@click.argument("event_id", type=int)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", default="")
@click.option("--organisation", default="", help="Municipality or association.")
def register_command(event_id: int, name: str, email: str, role: str, organisation: str) -> None:
    """Register someone as the public form does (the confirmation goes to the outbox)."""
    event = _event(event_id)
    try:
        result = register(event, RegistrationInput(name=name, email=email, role=role, organisation=organisation))
    except RegistrationError as exc:
        raise click.ClickException(str(exc)) from None
    registration = result.registration
    if result.outcome is Outcome.WAITING:
        click.echo(f"{registration.name} står på väntelistan till ”{event.title}” (besked i utkorgen).")
    elif result.outcome is Outcome.ALREADY:
        click.echo(f"{registration.email} var redan anmäld; " + (
            "bekräftelsen skickas igen." if result.emailed else
            f"bekräftelsen skickades inom de senaste {current_app.config['CONFIRMATION_RESEND_MINUTES']} minuterna "
            "och skickas inte igen nu."))
    else:
        click.echo(f"{registration.name} är anmäld till ”{event.title}” (bekräftelse med kalenderinbjudan i "
                   "utkorgen).")
    click.echo(f"Anmälan: {registration.id}")


@event_group.command("change")
@click.argument("event_id", type=int)
@click.option("--title", default=None)
@click.option("--start", default=None, help='Stockholm time, "YYYY-MM-DD HH:MM".')
@click.option("--end", default=None, help='Stockholm time, "YYYY-MM-DD HH:MM".')
@click.option("--join-url", default=None)
@click.option("--stream-url", default=None)
@click.option("--capacity", default=None, help="A number, or an empty string for no limit.")
def change_command(event_id: int, **changes) -> None:
    """Change an event; a new time or join link sends every registered person an update."""
    event = _event(event_id)
    raw = dataclasses.replace(input_for(event), **{k: v for k, v in changes.items() if v is not None})
    try:
        result = services.update_event(event, _checked(raw))
    except services.EventError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Sparat: ”{event.title}”, {when_text(event)} (version {event.sequence}).")
    if result.updates_sent:
        click.echo(f"{result.updates_sent} anmälda får ett brev om ändringen.")


@event_group.command("cancel")
@click.argument("event_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask first.")
def cancel_command(event_id: int, yes: bool) -> None:
    """Cancel an event: everyone registered gets METHOD:CANCEL, the waiting list a notice."""
    event = _event(event_id)
    if not yes and not click.confirm(f"Ställa in ”{event.title}” och meddela alla anmälda?", default=False):
        raise click.ClickException("Inget ändrades.")
    try:
        told = services.cancel_event(event)
    except services.EventError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"”{event.title}” är inställt; {counted(told, 'person', 'personer')} får ett brev om det.")
