"""Commands: talking points for a municipality and the national summary of a year."""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click

from ..cli import hti
from .figures import FigureMismatch
from .national import build_national_summary
from .talking_points import BriefError, build_talking_points, resolve_municipality

FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="Text to read, or JSON for other programs.")


def _print(output_format: str, data: dict, title: str, sentences: list[str]) -> None:
    """Print JSON for programs, or a title and one dash line per sentence for people."""
    if output_format == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(title)
    click.echo("")
    for text in sentences:
        click.echo(f"– {text}")


@contextmanager
def _swedish_errors():
    """Turn a BriefError or FigureMismatch into a one-line error message and a failing exit code."""
    try:
        yield
    except BriefError as error:
        raise click.ClickException(str(error)) from None
    except FigureMismatch as error:
        raise click.ClickException(f"Inget skapades, eftersom siffrorna inte stämmer med resultaten. {error.summary}") from None


@hti.command("talking-points")
@click.argument("kommun")
@click.option("--year", type=int, required=True, help="The year of the results.")
@FORMAT_OPTION
def talking_points_command(kommun: str, year: int, output_format: str) -> None:
    """Print the talking points of a municipality (KOMMUN is a code or a name)."""
    with _swedish_errors():
        points = build_talking_points(resolve_municipality(kommun), year)
    _print(output_format, points.as_json(), f"Talpunkter för {points.municipality.short_name}, Hemtjänstindex {year}",
           points.texts())


@hti.command("national-summary")
@click.option("--year", type=int, required=True, help="The year of the results.")
@FORMAT_OPTION
def national_summary_command(year: int, output_format: str) -> None:
    """Print the national summary of a year: top three, movers, best per county."""
    with _swedish_errors():
        summary = build_national_summary(year)
    _print(output_format, summary.as_json(), f"Hemtjänstindex {year} – sammanfattning för hela landet",
           summary.sentences())


@hti.command("brief-pdf")
@click.argument("kommun")
@click.option("--year", type=int, required=True, help="The year of the results.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Where to write the PDF (default: hemtjanstindex-ÅR-KOD.pdf here).")
def brief_pdf_command(kommun: str, year: int, output: Path | None) -> None:
    """Write the printable A4 brief of a municipality as a PDF."""
    from ..extensions import db
    from .pdf import pdf_filename
    from .renderings import brief_pdf

    with _swedish_errors():
        points = build_talking_points(resolve_municipality(kommun), year)
    name = points.municipality.short_name
    if points.entry is None:
        raise click.ClickException(f"{name} har inget resultat för {year}.")
    target = output or Path(pdf_filename(points))
    with _swedish_errors():
        data = brief_pdf(points)
    target.write_bytes(data)
    db.session.commit()  # keep the PDF for the staff page and the next command
    click.echo(f"Utskriften för {name} {year} är sparad i {target}.")


@hti.group("brief")
def brief_group() -> None:
    """Local briefs and district digests."""


@brief_group.command("schedule")
@click.option("--year", type=int, required=True, help="The year of the results.")
@click.option("--at-publication", "at_publication", is_flag=True,
              help="Send them by themselves at the year's publication moment (the only choice so far).")
@click.option("--kind", type=click.Choice(["local", "district", "both"]), default="both", show_default=True,
              help="Local briefs to each council, district digests to each district's chairs, or both.")
def schedule_command(year: int, at_publication: bool, kind: str) -> None:
    """Send the year's local briefs and/or district digests by themselves at the publication moment."""
    from .at_publication import ScheduleError, schedule, summary

    if not at_publication:
        raise click.UsageError("Ange --at-publication: breven skickas vid publiceringen.")
    try:
        schedule(year, kind, actor="kommandoraden")
    except ScheduleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary(year))
    click.echo("Varje brev kontrolleras mot resultaten innan det skickas; ett brev som inte stämmer stoppas och "
               "visas på tidslinjen.")
