"""Commands: delete stale sign-ups, export a person's data (importing contacts: imports/cli.py)."""
from __future__ import annotations

import json

import click

from ..cli import hti
from ..formatting import counted
from .gdpr import delete_stale_signups, export_contact, retention_days
from .services import find_contact


@hti.command("purge-unconfirmed")
def purge_unconfirmed_command() -> None:
    """Delete sign-ups that were never confirmed within the retention period."""
    deleted = delete_stale_signups()
    click.echo(f"{counted(deleted, 'obekräftad anmälan', 'obekräftade anmälningar')} äldre än "
               f"{counted(retention_days(), 'dag', 'dagar')} {'är raderad' if deleted == 1 else 'är raderade'}.")


@hti.command("export-contact")
@click.argument("email")
def export_contact_command(email: str) -> None:
    """Print everything stored about a person as JSON (GDPR access request)."""
    contact = find_contact(email)
    if contact is None:
        raise click.ClickException(f"Det finns ingen kontakt med adressen {email.strip()}.")
    click.echo(json.dumps(export_contact(contact), ensure_ascii=False, indent=2))
