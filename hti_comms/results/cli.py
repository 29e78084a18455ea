import json
from pathlib import Path

import click

from ..cli import hti
from ..formatting import counted, format_number
from .models import SUB_INDICES
from .ranking import compute_ranking
from .services import import_results


@hti.command("import-results")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, required=True, help="The year the results belong to.")
@click.option("--replace", is_flag=True, help="Replace the year's results without asking.")
def import_results_command(path: Path, year: int, replace: bool) -> None:
    """Import a year's results from CSV or XLSX — all rows or none."""
    data = path.read_bytes()
    outcome = import_results(data, path.name, year, replace=replace)
    if outcome.needs_confirmation:
        click.echo(f"Det finns redan resultat för {year} ({counted(outcome.replaced, 'kommun', 'kommuner')}).")
        if not click.confirm("Vill du ersätta dem?", default=False):
            raise click.ClickException("Inget importerades. Använd --replace för att ersätta utan fråga.")
        outcome = import_results(data, path.name, year, replace=True)
    if not outcome.ok:
        for problem in outcome.all_problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"Inget importerades: {len(outcome.all_problems)} fel i {path.name}. Rätta felen och försök igen."
        )
    click.echo(f"{counted(outcome.imported, 'kommuns', 'kommuners')} resultat för {year} är importerade"
               + (f" (ersatte {outcome.replaced})." if outcome.replaced else "."))
    for note in outcome.parsed.notes:
        click.echo(note)


def _value(value):
    return None if value is None else float(value)


@hti.command("results")
@click.option("--year", type=int, required=True)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def results_command(year: int, output_format: str) -> None:
    """Print the ranking of a year and the national average."""
    ranking = compute_ranking(year)
    if ranking is None:
        raise click.ClickException(f"Det finns inga resultat för {year}.")
    if output_format == "json":
        click.echo(json.dumps({
            "year": ranking.year,
            "is_demo": ranking.is_demo,
            "ranked_count": ranking.ranked_count,
            "national_average": _value(ranking.national_average),
            "national_averages": {k: _value(v) for k, v in ranking.national_averages.items()},
            "ranking": [{
                "rank": e.rank,
                "municipality_code": e.municipality_code,
                "municipality_name": e.municipality_name,
                "index": _value(e.index),
                **{name: _value(e.values[name]) for name, _label in SUB_INDICES},
                "previous_rank": e.previous_rank,
                "rank_change": e.rank_change,
            } for e in ranking.entries],
        }, ensure_ascii=False, indent=2))
        return
    if ranking.is_demo:
        click.echo("DEMODATA – syntetiska värden, inte riktiga resultat")
    click.echo(f"Hemtjänstindex {year}: {counted(ranking.ranked_count, 'kommun', 'kommuner')}, "
               f"riksgenomsnitt {format_number(ranking.national_average)}")
    header = f"{'Plats':>5}  {'Kommun':<22} {'Index':>6} " + " ".join(f"{label[:12]:>12}" for _n, label in SUB_INDICES)
    click.echo(header)
    for e in ranking.entries:
        subs = " ".join(f"{format_number(e.values[name]):>12}" for name, _label in SUB_INDICES)
        click.echo(f"{e.rank:>5}  {e.municipality_name:<22} {format_number(e.index):>6} {subs}")
