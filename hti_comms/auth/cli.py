import sys

import click

from ..cli import hti
from .services import StaffError, create_staff


@hti.command("create-staff")
@click.argument("email")
@click.option("--name", default="", help="The person's name, shown in the admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create_staff_command(email: str, name: str, password_stdin: bool) -> None:
    """Create a staff login; the password is asked for without echo."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet")
    try:
        user = create_staff(email, password, name=name)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Personalkontot {user.email} är skapat.")
