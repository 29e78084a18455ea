import sys

import click

from ..cli import hti
from .services import StaffError, change_password, create_staff, find_staff


@hti.command("create-staff")
@click.argument("email")
@click.option("--name", default="", help="The person's name, shown in the admin.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create_staff_command(email: str, name: str, password_stdin: bool) -> None:
    """Create a staff login; the password is asked for without echo."""
    password = _read_password(password_stdin)
    try:
        user = create_staff(email, password, name=name)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Personalkontot {user.email} är skapat.")


@hti.command("set-staff-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def set_staff_password_command(email: str, password_stdin: bool) -> None:
    """Give a staff login a new password and end every session it has (e.g. a forgotten password)."""
    user = find_staff(email)
    if user is None:
        raise click.ClickException(f"Det finns inget personalkonto för {email.strip()}.")
    try:
        change_password(user, _read_password(password_stdin))
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Lösenordet för {user.email} är bytt. Alla inloggningar med det gamla lösenordet är avslutade.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet")
