"""`hti action-plan add|change|list` (add and list are kept exactly: automated acceptance checks use them)."""
from __future__ import annotations

import json

import click

from .. import clock
from ..cli import hti
from ..extensions import db
from ..geo.services import find_municipality
from .models import Horizon, Measure, MeasureStatus
from .register import MeasureInput, PlanError, add_measure, measures_of, update_measure

ACTOR = "kommandoraden"


@hti.group("action-plan")
def action_plan_group() -> None:
    """Municipalities' action plans: measures per index year and area."""


def _fail(error: PlanError) -> None:
    db.session.rollback()
    raise click.ClickException("Inget sparades. " + " ".join(f"{f.field}: {f.message}" for f in error.findings))


def _describe(measure: Measure) -> str:
    return (f"{measure.municipality.short_name} {measure.year}, {measure.area.label} "
            f"({measure.horizon.label.lower()}, {measure.status.label.lower()}): {measure.text}")


@action_plan_group.command("add")
@click.option("--year", type=int, required=True, help="The index year whose result the measure answers.")
@click.option("--municipality", required=True, help="Code (0114) or name.")
@click.option("--area", required=True, help="information, bistandshandlaggning, utforande, stod_och_utveckling "
                                            "or index (the whole index).")
@click.option("--text", "text", required=True, help="What the municipality will do (after 'Kommunen planerar att').")
@click.option("--horizon", type=click.Choice([h.value for h in Horizon]), default=Horizon.SHORT.value,
              show_default=True)
@click.option("--status", type=click.Choice([s.value for s in MeasureStatus]), default=MeasureStatus.PLANNED.value,
              show_default=True)
@click.option("--source", default="", help="The municipality's own page about the measure.")
def add_command(year: int, municipality: str, area: str, text: str, horizon: str, status: str, source: str) -> None:
    """Register a measure (public at once); the last line ends with its id."""
    try:
        measure = add_measure(year, municipality, MeasureInput(area, text, horizon, status, source), actor=ACTOR)
        db.session.commit()
    except PlanError as error:
        _fail(error)
    click.echo(f"Åtgärden är registrerad: {_describe(measure)}")
    click.echo(f"Id: {measure.id}")


@action_plan_group.command("change")
@click.argument("measure_id", type=int)
@click.option("--area", default=None)
@click.option("--text", "text", default=None)
@click.option("--horizon", type=click.Choice([h.value for h in Horizon]), default=None)
@click.option("--status", type=click.Choice([s.value for s in MeasureStatus]), default=None)
@click.option("--source", default=None)
def change_command(measure_id: int, area, text, horizon, status, source) -> None:
    """Change a measure; the history keeps what it was."""
    measure = db.session.get(Measure, measure_id)
    if measure is None:
        raise click.ClickException(f"Det finns ingen åtgärd med id {measure_id}.")
    data = MeasureInput(area or measure.area, measure.text if text is None else text, horizon or measure.horizon,
                        status or measure.status, measure.source_url if source is None else source)
    try:
        changed = update_measure(measure, data, actor=ACTOR)
        db.session.commit()
    except PlanError as error:
        _fail(error)
    click.echo(f"{'Ändrad' if changed else 'Oförändrad'}: {_describe(measure)}")


def measure_json(measure: Measure) -> dict:
    """Return a measure in the shape `hti action-plan list --format json` promises."""
    return {
        "id": measure.id,
        "year": measure.year,
        "municipality_code": measure.municipality_code,
        "municipality_name": measure.municipality.short_name,
        "area": measure.area.value,
        "area_label": measure.area.label,
        "text": measure.text,
        "horizon": measure.horizon.value,
        "status": measure.status.value,
        "status_label": measure.status.label,
        "status_since": measure.status_since.isoformat(),
        "source_url": measure.source_url or None,
        "created_at": clock.as_utc(measure.created_at).isoformat(),
        "updated_at": clock.as_utc(measure.updated_at).isoformat(),
        "versions": len(measure.versions),
    }


@action_plan_group.command("list")
@click.option("--year", type=int, required=True)
@click.option("--municipality", default=None, help="Code (0114) or name; every municipality when left out.")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def list_command(year: int, municipality: str | None, output: str) -> None:
    """Print the registered measures of a year, by municipality and area."""
    code = None
    if municipality:
        found = find_municipality(municipality)
        if found is None:
            raise click.ClickException(f"Hittar ingen kommun som heter eller har koden ”{municipality}”.")
        code = found.code
    measures = measures_of(year, code)
    if output == "json":
        click.echo(json.dumps([measure_json(m) for m in measures], ensure_ascii=False, indent=2))
        return
    if not measures:
        click.echo(f"Inga registrerade åtgärder för {year}.")
    for measure in measures:
        click.echo(f"{measure.id}. {_describe(measure)}")

