"""`hti import-contacts`: check and import a contact file at once, every problem reported with its line."""
from __future__ import annotations

from pathlib import Path

import click

from ...cli import hti
from ...formatting import counted
from ..models import LegalBasis
from .models import LineAction
from .plan import plan_import
from .store import ImportRefused, describe_outcome, store_plan

BASES = {"consent": LegalBasis.CONSENT_GIVEN, "opt-in": LegalBasis.NEEDS_OPT_IN}


@hti.command("import-contacts")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--basis", type=click.Choice(sorted(BASES)), default="opt-in", show_default=True,
              help="consent: consent was given elsewhere; opt-in: everyone gets a confirmation email.")
@click.option("--list", "list_keys", multiple=True, help="List key for rows whose 'listor' column is empty.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some rows have errors.")
@click.option("--dry-run", is_flag=True, help="Only show what would happen.")
def import_contacts_command(path: Path, basis: str, list_keys: tuple[str, ...], skip_invalid: bool,
                            dry_run: bool) -> None:
    """Import contacts from CSV or XLSX: duplicates merged, every problem reported with its line."""
    plan = plan_import(path.read_bytes(), path.name, BASES[basis], list(list_keys))
    _report(plan, only_problems=not dry_run)
    if dry_run:
        click.echo("Provkörning: ingenting sparades.")
        return
    try:
        result = store_plan(plan, path.name, list(list_keys), actor=f"kommandorad: {path.name}",
                            skip_invalid=skip_invalid)
    except ImportRefused as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Klart: {describe_outcome(result.summary())}")
    if result.to_confirm:
        click.echo(f"{counted(len(result.to_confirm), 'person', 'personer')} behöver bekräfta sin adress.")


def _report(plan, only_problems: bool = False) -> None:
    for problem in plan.problems:
        click.echo(problem, err=True)
    for line in plan.lines:
        if line.action in (LineAction.INVALID, LineAction.SKIP, LineAction.MERGE) or not only_problems:
            click.echo(str(line), err=line.action is LineAction.INVALID)
