"""`hti scheduler`: the one scheduler process, or every sweep once (`--once`) for scripts and checks."""
from __future__ import annotations

import click

from ..cli import hti, stop_on_signals


@hti.command("scheduler")
@click.option("--once", is_flag=True, help="Run every sweep once, print what each did, and exit.")
def scheduler_command(once: bool) -> None:
    """Run the one scheduler process: sweeps for due work every few seconds (never inside the web app)."""
    from .scheduler import run_scheduler
    from .sweeps import run_all_once

    if once:
        failed = run_all_once(on_result=click.echo)
        if failed:
            raise click.ClickException(f"{len(failed)} svep misslyckades: {', '.join(failed)}.")
        return
    from .. import dbclock, dbclock_app

    stop = stop_on_signals()
    dbclock.set_role("schemaläggaren")
    click.echo(dbclock_app.describe())
    run_scheduler(stop, on_state=click.echo)
