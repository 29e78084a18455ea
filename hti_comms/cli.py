"""The `flask --app app hti …` command group; each domain adds its commands in its own cli module."""
from __future__ import annotations

import secrets

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade

hti = AppGroup("hti", help="Hemtjänstindex: set-up, import, sending.")


@hti.command("init-db")
@click.option("--demo", is_flag=True, help="Load demo data and a demo staff login into an empty database.")
def init_db(demo: bool) -> None:
    """Run the migrations and load the reference data (idempotent)."""
    from .auth.services import create_staff, staff_count
    from .geo.services import load_reference_data
    from .results.services import has_any_results, load_demo_results
    from .subscribers.services import ensure_default_lists

    upgrade()
    report = load_reference_data()
    if report.changed:
        click.echo(f"Referensdata: {report.counties_added} län, {report.municipalities_added} kommuner, "
                   f"{report.districts_added} distrikt tillagda.")
    else:
        click.echo("Referensdata finns redan (290 kommuner, 21 län).")
    if ensure_default_lists():
        click.echo("Utskickslistorna är skapade: nyhetsbrev, kurser, lokala-resultat.")

    if not demo:
        return
    if has_any_results() or staff_count() > 0:
        click.echo("Databasen innehåller redan data; ingen demodata läggs till.")
        return
    years = load_demo_results()
    password = secrets.token_urlsafe(12)
    email = "demo@hti.example"
    create_staff(email, password, name="Demopersonal")
    click.echo(f"DEMODATA: syntetiska resultat för {', '.join(map(str, years))} är inlagda.")
    click.echo("")
    click.echo("=" * 64)
    click.echo("  Inloggning för personal (visas bara denna gång):")
    click.echo(f"    E-post:   {email}")
    click.echo(f"    Lösenord: {password}")
    click.echo("=" * 64)


def register_commands(app: Flask) -> None:
    """Attach the command group and every domain's commands to the app."""
    from .auth import cli as auth_cli  # noqa: F401  (registers commands on `hti`)
    from .briefs import cli as briefs_cli  # noqa: F401
    from .delivery import cli as delivery_cli  # noqa: F401
    from .results import cli as results_cli  # noqa: F401
    from .subscribers import cli as subscribers_cli  # noqa: F401

    app.cli.add_command(hti)
