"""`hti publication set` and `hti order create|list` (kept exactly: automated acceptance checks use them)."""
from __future__ import annotations

import json

import click

from .. import clock
from ..cli import hti
from ..extensions import db
from ..formatting import format_datetime
from . import audit
from .models import OrderSource
from .moments import PublicationError, parse_wall_clock, set_orders_close, set_publication
from .orders import ContactInput, OrderError, OrderInput, create_order, pending_orders, queue


@hti.group("publication")
def publication_group() -> None:
    """The publication moment of an index year."""


@publication_group.command("set")
@click.option("--year", type=int, required=True)
@click.option("--at", "at_text", required=True, help='Stockholm time, "YYYY-MM-DD HH:MM".')
@click.option("--orders-close", default=None, help='When ordering closes, Stockholm time, "YYYY-MM-DD HH:MM".')
def set_command(year: int, at_text: str, orders_close: str | None) -> None:
    """Set (or postpone) the publication; the embargo release is 24 hours before."""
    try:
        steps = set_publication(year, parse_wall_clock(at_text, "--at"), actor=audit.COMMAND_LINE)
        if orders_close:
            steps = set_orders_close(year, parse_wall_clock(orders_close, "--orders-close"), actor=audit.COMMAND_LINE)
        db.session.commit()
    except PublicationError as exc:
        db.session.rollback()
        raise click.ClickException(f"Inget ändrades. {exc}") from None
    click.echo(f"Embargot släpps {format_datetime(steps.embargo_release_at)}.")
    click.echo(f"Beställningen stänger {format_datetime(steps.orders_close_at)}.")
    click.echo(f"Hemtjänstindex {year} publiceras {format_datetime(steps.published_at)}.")


@hti.group("order")
def order_group() -> None:
    """Report-package orders."""


@order_group.command("create")
@click.option("--year", type=int, required=True)
@click.option("--municipality", required=True, help="Code (0114) or name.")
@click.option("--contact", "email", required=True, help="The municipal official's email address (confirmed).")
@click.option("--name", default="", help="The contact's name.")
@click.option("--invoice-reference", default="")
def create_command(year: int, municipality: str, email: str, name: str, invoice_reference: str) -> None:
    """Place an order as staff, with one confirmed contact; the last line ends with its queue position."""
    try:
        order, position = create_order(OrderInput(
            year=year, municipality=municipality, contacts=(ContactInput(email, name),),
            invoice_reference=invoice_reference, source=OrderSource.STAFF, actor=audit.COMMAND_LINE))
    except OrderError as exc:
        db.session.rollback()
        raise click.ClickException(f"Inget sparades. {exc}") from None
    click.echo(f"Beställningen från {order.municipality.short_name} för {year} är mottagen "
               f"{format_datetime(order.received_at)}.")
    click.echo(f"Plats i kön: {position}")


@order_group.command("list")
@click.option("--year", type=int, required=True)
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text")
def list_command(year: int, output: str) -> None:
    """Print the year's queue of orders, first to arrive first."""
    entries = queue(year)
    if output == "json":
        click.echo(json.dumps([{
            "municipality_code": e.order.municipality_code, "municipality": e.order.municipality.short_name,
            "position": e.position, "received_at": clock.as_utc(e.order.received_at).isoformat(),
            "status": e.order.status.value, "status_text": e.order.status.label,
        } for e in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"Inga beställningar för {year}.")
    for e in entries:
        click.echo(f"{e.position}. {e.order.municipality_code} {e.order.municipality.short_name} – "
                   f"{e.order.status.label}, mottagen {format_datetime(e.order.received_at)}")
    pending = len(pending_orders(year))
    if pending:
        click.echo(f"{pending} {'beställning' if pending == 1 else 'beställningar'} från formuläret väntar på "
                   "bekräftelse och kontroll och har ingen plats i kön.")
