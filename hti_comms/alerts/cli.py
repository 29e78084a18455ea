"""Commands: add a confirmed alert (staff and checks)."""
from __future__ import annotations

import click

from ..cli import hti
from .services import AlertError, add_confirmed


@hti.group("alert")
def alert_group() -> None:
    """Alerts ("Min kommun"): a municipality's result by email at the publication moment."""


@alert_group.command("add")
@click.option("--email", required=True, help="The address that gets the result.")
@click.option("--municipality", required=True, help="The municipality's code or name.")
def add_command(email: str, municipality: str) -> None:
    """Add a confirmed alert, as if its owner had confirmed it by email."""
    try:
        subscriber, chosen = add_confirmed(email, municipality)
    except AlertError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{subscriber.email} får resultatet för {chosen.short_name} med e-post när Hemtjänstindex "
               "publiceras.")
