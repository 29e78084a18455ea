"""Commands: `hti backup OUT` and `hti restore IN [--force]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from ..cli import hti
from ..extensions import db
from .backup import BackupError, migration_heads, restore_backup, write_backup


@hti.command("backup")
@click.argument("out", type=click.Path(path_type=Path))
def backup_command(out: Path) -> None:
    """Write a consistent copy of the database to OUT (a new file, or a folder) while everything keeps running."""
    try:
        written = write_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Säkerhetskopian är skriven: {written} ({written.stat().st_size:,} byte)".replace(",", " "))


@hti.command("restore")
@click.argument("source", metavar="IN", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that is not empty (everything in it is lost).")
def restore_command(source: Path, force: bool) -> None:
    """Restore the backup IN into the database (refused when it is not empty, unless --force)."""
    from flask_migrate import upgrade

    db.engine.dispose()  # this process holds no connection while the database is replaced
    try:
        restored = restore_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], source, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    heads = migration_heads()
    if restored.revision_in_file not in heads:
        upgrade()  # a backup from an older version: bring it to this version's schema
        click.echo(f"Databasen var av en äldre version ({restored.revision_in_file}) och är nu uppgraderad.")
    db.engine.dispose()
    revision = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.remove()
    if revision not in heads:
        raise click.ClickException(f"Databasen är återställd men har versionen {revision}, inte {', '.join(heads)}. "
                                   "Kör flask --app app hti init-db.")
    click.echo(f"Databasen är återställd från {source} och har den senaste versionen ({revision}).")
