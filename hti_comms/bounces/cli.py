"""Commands: read returned messages (files or standard input), the bounce inbox server, the IMAP poll, and
what the suppression list says about one address."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app

from ..cli import hti, stop_on_signals


@hti.group("bounces")
def bounces_group() -> None:
    """Bounces and complaints that come back after sending."""


@bounces_group.command("receive")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
def receive_command(files: tuple[str, ...]) -> None:
    """Read one returned message per FILE (none or '-': one from standard input) and act on it.

    Exit status 0 when every message was read (understood, or kept for staff), 1 when a file could not be read.
    """
    from .services import BATCH, Incoming, process_many

    failed = False
    pending: list[tuple[str, Incoming]] = []

    def flush() -> None:
        for (label, _message), processed in zip(pending, process_many([m for _l, m in pending], source="fil")):
            click.echo(f"{label}: {processed.line()}")
        pending.clear()

    for name in files or ("-",):
        try:
            if name == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(name, "rb") as handle:
                    raw = handle.read()
        except OSError as exc:
            flush()  # the lines stay in the order of the files
            click.echo(f"{name}: kunde inte läsas ({exc.strerror or exc})", err=True)
            failed = True
            continue
        pending.append(("stdin" if name == "-" else name, Incoming(raw)))
        if len(pending) >= BATCH:
            flush()
    flush()
    sys.exit(1 if failed else 0)


@bounces_group.command("poll")
def poll_command() -> None:
    """Read the bounce mailbox by IMAP (BOUNCE_IMAP_*); move what was read to BOUNCE_IMAP_DONE_FOLDER."""
    from .imap import ImapError, poll

    try:
        lines = poll(current_app.config)
    except ImapError as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} brev lästa.")


@hti.command("bounce-inbox")
@click.option("--port", type=int, default=2525, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def bounce_inbox_command(port: int, host: str) -> None:
    """Receive bounces by SMTP: the relay forwards BOUNCE_DOMAIN here; only bounce addresses are accepted."""
    from .inbox import BounceInbox
    from .spool import SpoolBusy

    stop = stop_on_signals()
    config = current_app.config
    try:
        inbox = BounceInbox(current_app._get_current_object(), host=host, port=port).start(ended=stop)
    except SpoolBusy:
        raise click.ClickException(f"En annan studsbrevlåda använder redan kön i {config['BOUNCE_SPOOL_DIR']} "
                                   "(BOUNCE_SPOOL_DIR). Stoppa den, eller ge den här en egen kö.") from None
    click.echo(f"Studsbrevlådan tar emot e-post till {config['BOUNCE_LOCAL_PART']}+…@{config['BOUNCE_DOMAIN']} "
               f"på {host}:{inbox.port}; kön ligger i {config['BOUNCE_SPOOL_DIR']}.")
    stop.wait()
    inbox.stop()
    if inbox.smtp_ended.is_set():  # a non-zero exit status: the service manager starts it again
        raise click.ClickException("Studsbrevlådans SMTP-process stannade oväntat (se loggen); "
                                   "studsbrevlådan har stannat.")
    click.echo("Studsbrevlådan har stannat.")


@hti.group("suppression")
def suppression_group() -> None:
    """The suppression list: addresses that get no list mail."""


@suppression_group.command("show")
@click.argument("email")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_command(email: str, output: str) -> None:
    """Say whether EMAIL is suppressed, why, its soft bounces in 30 days and the lists it still gets."""
    from .health import suppression_state

    state = suppression_state(email)
    if output == "json":
        click.echo(json.dumps(state, ensure_ascii=False))
        return
    if state["suppressed"]:
        click.echo(f"{state['email']} är spärrad ({state['reason']}).")
    else:
        click.echo(f"{state['email']} är inte spärrad.")
    click.echo(f"Tillfälliga fel senaste 30 dagarna: {state['soft_bounces_30d']}.")
    click.echo("Får listorna: " + (", ".join(state["lists"]) or "inga") + ".")
