"""Commands: talking points for a municipality and the national summary of a year."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli import hti
from .national import build_national_summary
from .talking_points import BriefError, build_talking_points, resolve_municipality

FORMAT_OPTION = click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                             show_default=True, help="Text to read, or JSON for other programs.")


def _echo_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@hti.command("talking-points")
@click.argument("kommun")
@click.option("--year", type=int, required=True, help="The year of the results.")
@FORMAT_OPTION
def talking_points_command(kommun: str, year: int, output_format: str) -> None:
    """Print the talking points of a municipality (KOMMUN is a code or a name)."""
    try:
        points = build_talking_points(resolve_municipality(kommun), year)
    except BriefError as error:
        raise click.ClickException(str(error)) from None
    if output_format == "json":
        _echo_json(points.as_json())
        return
    click.echo(f"Talepunkter för {points.municipality.short_name}, Hemtjänstindex {year}")
    click.echo("")
    for text in points.texts():
        click.echo(f"– {text}")


@hti.command("national-summary")
@click.option("--year", type=int, required=True, help="The year of the results.")
@FORMAT_OPTION
def national_summary_command(year: int, output_format: str) -> None:
    """Print the national summary of a year: top three, movers, best per county."""
    try:
        summary = build_national_summary(year)
    except BriefError as error:
        raise click.ClickException(str(error)) from None
    if output_format == "json":
        _echo_json(summary.as_json())
        return
    click.echo(f"Hemtjänstindex {year} – sammanfattning för hela landet")
    click.echo("")
    for text in summary.sentences():
        click.echo(f"– {text}")


@hti.command("brief-pdf")
@click.argument("kommun")
@click.option("--year", type=int, required=True, help="The year of the results.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Where to write the PDF (default: hemtjanstindex-ÅR-KOD.pdf here).")
def brief_pdf_command(kommun: str, year: int, output: Path | None) -> None:
    """Write the printable A4 brief of a municipality as a PDF."""
    from .pdf import brief_pdf, pdf_filename

    try:
        points = build_talking_points(resolve_municipality(kommun), year)
    except BriefError as error:
        raise click.ClickException(str(error)) from None
    if points.entry is None:
        raise click.ClickException(f"{points.municipality.short_name} har inget resultat för {year}.")
    target = output or Path(pdf_filename(points))
    target.write_bytes(brief_pdf(points))
    click.echo(f"Utskriften för {points.municipality.short_name} {year} är sparad i {target}.")
