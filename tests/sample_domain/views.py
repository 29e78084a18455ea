"""The sample domain's page, command, sweep and personal-data handlers (all in one module for brevity)."""
from __future__ import annotations

import click

from hti_comms.cli import hti
from hti_comms.domain import SendReference
from hti_comms.personal_data import Person
from hti_comms.scheduling.sweeps import sweep
from hti_comms.staff import staff_blueprint

bp = staff_blueprint("sample_admin", __name__, "/prov")
#: What the sample domain "stores" about people, and a log of the calls the tests look at.
STORED: dict[str, list[str]] = {}
CALLS: list[str] = []


@bp.route("/")
def index():
    return "Provdomänens sida"


@hti.command("sample-hello")
def hello_command() -> None:
    """Say hello (a sample command)."""
    click.echo("Hej från provdomänen")


@sweep("sample.tick", every_seconds=60)
def tick() -> int:
    CALLS.append("tick")
    return 1


def describe_owner(owner) -> SendReference | None:
    if owner.kind != "note" or not owner.key.isdigit():
        return None
    return SendReference(f"Provmeddelande nummer {owner.key}", "/admin/prov/")


def export(person: Person) -> list[str]:
    return STORED.get(person.email, [])


def erase(person: Person) -> int:
    CALLS.append("erase")
    return len(STORED.pop(person.email, []))


def setup(app) -> None:
    app.config["SAMPLE_DOMAIN_READY"] = True
