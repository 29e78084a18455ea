"""`hti event attendance …` and `hti event follow-up …`: who came, and the email after the event."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..extensions import db
from . import attendance, councils, followup
from .attendance_files import AttendanceFileError
from .cli import _event, event_group


@event_group.command("attendance")
@click.argument("event_id", type=int)
@click.option("--import", "import_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Zoom's or Teams' attendance report, or a CSV/XLSX with an email column.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--yes", is_flag=True, help="Import even when the report seems to be of another day.")
def attendance_command(event_id: int, import_file: Path | None, output_format: str, yes: bool) -> None:
    """Import who attended (replacing an earlier import), or print attendance per registration."""
    event = _event(event_id)
    if import_file is not None:
        try:
            report = attendance.read_report(event, import_file.read_bytes(), import_file.name)
        except AttendanceFileError as exc:
            raise click.ClickException(f"Inget sparades. {exc}") from None
        for warning in report.warnings:
            click.echo(f"Varning: {warning}", err=True)
        if report.warnings and not yes and not click.confirm("Läsa in rapporten ändå?", default=False):
            raise click.ClickException("Inget sparades.")
        attendance.apply_report(event, report)
        db.session.commit()
        for person in report.unknown:
            shown = person.email or "(ingen adress)"
            hint = (f" – samma namn som anmälda {person.suggested.email}; bekräfta på evenemangets sida"
                    if person.suggested else "")
            click.echo(f"Okänd: {person.name} <{shown}>, {person.minutes} min{hint}")
        click.echo(report.summary())
        return
    rows = attendance.attendance_rows(event)
    if output_format == "json":
        click.echo(json.dumps([{k: r[k] for k in ("email", "attended", "minutes")} for r in rows],
                              ensure_ascii=False, indent=2))
        return
    for row in rows:
        state = {True: "deltog", False: "uteblev", None: "ingen rapport"}[row["attended"]]
        minutes = f", {row['minutes']} min" if row["attended"] else ""
        click.echo(f"{row['email']}  {row['name']}: {state}{minutes}")


@event_group.command("follow-up")
@click.argument("event_id", type=int)
@click.option("--recording-url", required=True, help="The recording's address.")
@click.option("--material-url", "material_urls", multiple=True, help="A link to material (repeatable).")
@click.option("--yes", is_flag=True, help="Send without asking first.")
def follow_up_command(event_id: int, recording_url: str, material_urls: tuple[str, ...], yes: bool) -> None:
    """Send "Tack för att du deltog" to those who came and "Vi saknade dig" to those who did not."""
    event = _event(event_id)
    try:
        followup.set_links(event, recording_url=recording_url,
                           material_urls="\n".join(material_urls) if material_urls else None)
        chosen = followup.plan(event)
    except followup.FollowUpError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"”{chosen.thanks_subject}” till {len(chosen.thanks)} som deltog "
               "(inspelning, material, frågor om kursen och intyg).")
    click.echo(f"”{chosen.missed_subject}” till {len(chosen.missed)} som var anmälda men uteblev (inspelningen).")
    click.echo(f"Inspelningen: {event.recording_url}")
    for url in followup.materials(event):
        click.echo(f"Material: {url}")
    if not yes and not click.confirm("Skicka?", default=False):
        db.session.rollback()
        raise click.ClickException("Inget skickades.")
    followup.send_follow_up(event)
    db.session.commit()
    click.echo(f"Skickat till utkorgen: {len(chosen.thanks)} tack och {len(chosen.missed)} ”Vi saknade dig”.")


@event_group.command("basic-course")
@click.argument("event_id", type=int)
@click.option("--off", is_flag=True, help="The event is no basic course after all.")
def basic_course_command(event_id: int, off: bool) -> None:
    """Mark a course as a basic course: who attended it counts for their council."""
    event = _event(event_id)
    if event.kind.value != "kurs":
        raise click.ClickException("Bara en kurs kan vara en grundkurs.")
    event.is_basic_course = not off
    db.session.commit()
    click.echo(f"”{event.title}” räknas {'inte ' if off else ''}som grundkurs.")


@event_group.command("councils")
@click.option("--years", type=click.IntRange(0, 20), default=councils.DEFAULT_YEARS, show_default=True,
              help="How many years back a basic course counts, besides this year.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def councils_command(years: int, output_format: str) -> None:
    """Which municipalities' pensioner councils have someone who attended a basic course."""
    rows, counties = councils.council_table(years)
    if output_format == "json":
        click.echo(json.dumps({
            "municipalities": [{"code": r.code, "name": r.name, "county": r.county, "trained": r.trained,
                                "people": [{"name": n, "day": d.isoformat()} for n, d in r.people]} for r in rows],
            "counties": [{"name": c.name, "trained": c.trained, "total": c.total} for c in counties],
        }, ensure_ascii=False, indent=2))
        return
    for county in counties:
        click.echo(f"{county.name}: {county.trained} av {county.total}")
    trained = sum(r.trained for r in rows)
    click.echo(f"{trained} av {len(rows)} kommuners pensionärsråd har någon som gått grundkursen.")
