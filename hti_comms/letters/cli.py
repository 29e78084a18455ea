"""Commands: `hti letters list [--format text|json]` and `hti letters pdf BATCH_ID --out FILE`."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli import hti
from ..formatting import format_day
from .services import LetterError, all_batches, get_batch, make_pdf


@hti.group("letters")
def letters_group() -> None:
    """Printed letters: print batches and their PDFs."""


@letters_group.command("list")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_command(output: str) -> None:
    """List the print batches, the newest first."""
    batches = all_batches()
    if output == "json":
        click.echo(json.dumps([{"id": b.id, "send": b.send_id, "count": b.letter_count, "status": b.status.value}
                               for b in batches], ensure_ascii=False))
        return
    if not batches:
        click.echo("Det finns inga brev att skriva ut.")
    for b in batches:
        click.echo(f"{b.id}\tutskick {b.send_id}\t{b.letter_count} brev\t{b.status.label}\t"
                   f"{format_day(b.created_at)}\t{b.title}")


@letters_group.command("pdf")
@click.argument("batch_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Filen som PDF:en sparas i.")
def pdf_command(batch_id: int, out: Path) -> None:
    """Render the batch's PDF (kept for the staff page too) and save it to a file."""
    try:
        batch = get_batch(batch_id)
    except LetterError as exc:
        raise click.ClickException(str(exc)) from None
    pdf = batch.pdf or make_pdf(batch)
    out.write_bytes(pdf)
    click.echo(f"{batch.letter_count} brev i {out}.")
