"""The `flask --app app hti …` command group; each domain adds its commands in its own cli module."""
from __future__ import annotations

import logging
import secrets
import signal
import threading

import click
from flask import Flask
from flask.cli import AppGroup, ScriptInfo


class DomainCommands(AppGroup):
    """The `hti` group: the domains' command modules are imported when it is listed or run, not by every process."""

    def _import_commands(self, ctx: click.Context) -> None:
        from flask import current_app

        from .domain import registry

        info = ctx.find_object(ScriptInfo)
        registry(info.load_app() if info is not None else current_app).import_commands()

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._import_commands(ctx)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._import_commands(ctx)
        return super().get_command(ctx, cmd_name)


hti = DomainCommands("hti", help="Hemtjänstindex: set-up, import, sending.")

DEMO_STAFF_EMAIL = "demo@hti.example"


def stop_on_signals() -> threading.Event:
    """Return an event that SIGTERM and SIGINT (Ctrl-C) set, so long-running loops can finish cleanly."""
    # The libraries' per-connection and per-run chatter would drown what matters.
    for name in ("mail.log", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from .signals import event_set_by_signals

    return event_set_by_signals(signal.SIGTERM, signal.SIGINT)


@hti.command("init-db")
@click.option("--demo", is_flag=True, help="Load demo data and a demo staff login into an empty database.")
def init_db(demo: bool) -> None:
    """Run the migrations and load every domain's reference data (idempotent)."""
    from flask_migrate import upgrade  # with Alembic: loaded by the commands that migrate, not by every process

    from .auth.services import create_staff, staff_count
    from .domain import registry

    before = _schema_revision()
    upgrade(x_arg="quiet=1")
    after = _schema_revision()
    if after != before:
        click.echo(f"Databasschemat är uppdaterat till version {after}." if before else
                   f"Databasen är skapad (schemaversion {after}).")
    domains = registry().domains
    for domain in domains:
        if domain.initial_data:
            message = domain.resolve(domain.initial_data)()
            if message:
                click.echo(message)

    if not demo:
        return
    # Demo data goes only into a database nobody has started using: no staff login yet.
    if staff_count() > 0:
        click.echo("Databasen innehåller redan data; ingen demodata läggs till.")
        return
    for domain in domains:
        if domain.demo_data:
            message = domain.resolve(domain.demo_data)()
            if message:
                click.echo(message)
    password = secrets.token_urlsafe(12)
    user = create_staff(DEMO_STAFF_EMAIL, password, name="Demopersonal")
    key = _demo_second_factor(user)
    click.echo("")
    click.echo("=" * 64)
    click.echo("  Inloggning för personal (visas bara denna gång):")
    click.echo(f"    E-post:   {DEMO_STAFF_EMAIL}")
    click.echo(f"    Lösenord: {password}")
    click.echo(f"    Nyckel för tvåstegsverifiering: {key}")
    click.echo("    Läs av QR-koden nedan med en app för inloggningskoder, eller skriv in nyckeln i den.")
    click.echo(f"    Utan app: python -c \"import pyotp; print(pyotp.TOTP('{key}').now())\"")
    click.echo("=" * 64)
    _print_qr(user, key)


def _demo_second_factor(user) -> str:
    """Give the demo administrator a second factor (administrators need one), and return its key to print once."""
    from .auth import second_factor

    secret = second_factor.new_secret()
    second_factor.confirm_enrolment(user, secret, second_factor.code_at(secret, second_factor.current_step()),
                                    tell=False)
    return secret


def _print_qr(user, key: str) -> None:
    import segno

    from .auth.second_factor import provisioning_uri

    segno.make(provisioning_uri(user, key), error="m").terminal(compact=True)


def _schema_revision() -> str | None:
    """Return the database's Alembic revision, or None when it has none yet."""
    from alembic.migration import MigrationContext

    from .extensions import db

    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def register_commands(app: Flask) -> None:
    """Attach the command group (the domains' commands are added to it when it is used)."""
    from . import dev  # noqa: F401  (registers `hti dev`)

    app.cli.add_command(hti)
