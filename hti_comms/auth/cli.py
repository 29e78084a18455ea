import sys

import click

from ..cli import hti
from ..stafflog.services import record
from .roles import Role, RoleError, parse_role, roles_sentence
from .services import StaffError, change_password, create_staff, find_staff

COMMAND_LINE = "kommandoraden"


@hti.command("create-staff")
@click.argument("email")
@click.option("--name", default="", help="The person's name, shown in the admin.")
@click.option("--role", "roles", multiple=True, metavar="ROLE",
              help="redaktor, utskick, publicering or administrator; repeat for several (default: administrator).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create_staff_command(email: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Create a staff login with its roles; the password is asked for without echo."""
    try:
        chosen = [parse_role(role) for role in roles] or [Role.ADMINISTRATOR]
    except RoleError as exc:
        raise click.BadParameter(str(exc), param_hint="--role") from None
    password = _read_password(password_stdin)
    try:
        user = create_staff(email, password, name=name, roles=chosen)
    except StaffError as exc:
        raise click.ClickException(str(exc)) from None
    record("auth.create_staff", "Skapade ett personalkonto", actor=COMMAND_LINE, target=user.email,
           detail=f"Roller: {roles_sentence(user.roles)}.")
    from ..extensions import db

    db.session.commit()
    click.echo(f"Personalkontot {user.email} är skapat med rollen {roles_sentence(user.roles).lower()}.")
    if not user.has_second_factor and any(role is not Role.REDAKTOR for role in user.roles):
        click.echo("Personen ställer in tvåstegsverifiering första gången hen loggar in.")


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
    record("auth.set_staff_password", "Bytte en persons lösenord", actor=COMMAND_LINE, target=user.email)
    from ..extensions import db

    db.session.commit()
    click.echo(f"Lösenordet för {user.email} är bytt. Alla inloggningar med det gamla lösenordet är avslutade.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Lösenord", hide_input=True, confirmation_prompt="Upprepa lösenordet")
