"""Extension objects, initialised in create_app()."""
from functools import cached_property

import click
from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
import sqlite3

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from .forgery import CSRFProtect

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Migrations:
    """Flask-Migrate for this app, with Alembic loaded only by what migrates (`flask db …`, `hti init-db`).

    `flask_migrate.Migrate.init_app` imports Alembic (about a tenth of a second), and every process of the
    product builds the app; the web workers, the scheduler and the send workers never migrate. This puts in
    `app.extensions["migrate"]` what Flask-Migrate's functions and migrations/env.py read (`db`, `directory`,
    `configure_args`, and `migrate`, the real `Migrate`, made on first use) and a `flask db` group that hands
    over to Flask-Migrate's own when it is run.
    """

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str, **configure_args) -> None:
        app.extensions["migrate"] = _MigrationSettings(db, directory, {"compare_type": True, **configure_args})
        app.cli.add_command(_MigrationCommands())


class _MigrationSettings:
    """What `flask_migrate.Migrate.init_app` stores in `app.extensions["migrate"]`, with Migrate made lazily."""

    def __init__(self, db: SQLAlchemy, directory: str, configure_args: dict) -> None:
        self.db, self.directory, self.configure_args = db, directory, configure_args

    @cached_property
    def migrate(self):
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    @property
    def metadata(self):
        return self.db.metadata


class _MigrationCommands(click.Group):
    """`flask db`: listed without loading Alembic; running it (or its --help) runs Flask-Migrate's group."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations.")

    @staticmethod
    def _flask_migrate_group() -> click.Group:
        from flask_migrate.cli import db as flask_migrate_group

        return flask_migrate_group

    def make_context(self, info_name, args, parent=None, **extra):
        return self._flask_migrate_group().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx):
        return self._flask_migrate_group().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        return self._flask_migrate_group().get_command(ctx, cmd_name)


db = SQLAlchemy(model_class=Base)
migrate = Migrations()
csrf = CSRFProtect()
login_manager = LoginManager()
#: No default limits: only the public forms that invite abuse carry one (storage chosen in create_app).
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    """Give every SQLite connection write-ahead logging: the web app, the scheduler, the send workers and the
    mail sink of `make run` share one file, and with WAL a reader never waits for a writer. `synchronous=NORMAL`
    is WAL's recommended setting: a committed transaction survives a crash of the process (only a power cut can
    lose the last ones), and a commit no longer waits for the disk twice."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
