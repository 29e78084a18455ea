"""Commands: the send worker, the local mail sink, sending now, a test email, and unknown outcomes."""
from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import func, select

from ..cli import hti, stop_on_signals
from ..extensions import db
from ..formatting import format_integer


@hti.command("send-worker")
@click.option("--pool-size", type=int, help="SMTP connections (default SMTP_POOL_SIZE).")
@click.option("--rate", type=float, help="Messages per second at most, 0 = no limit (default SMTP_RATE_PER_SECOND).")
def send_worker_command(pool_size: int | None, rate: float | None) -> None:
    """Send due email until stopped (SIGTERM/Ctrl-C finishes what is in flight first)."""
    from .pool import WorkerSettings
    from .worker import Worker

    settings = WorkerSettings.from_config(current_app.config)
    if pool_size:
        settings.pool_size = pool_size
    if rate is not None:
        settings.rate_per_second = rate
    stop = stop_on_signals()
    smtp = settings.smtp
    limit = (f"högst {settings.rate_per_second:g} brev per sekund" if settings.rate_per_second
             else "ingen gräns för brev per sekund")
    click.echo(f"Utskicksprocessen är igång: {settings.pool_size} SMTP-förbindelser till {smtp.host}:{smtp.port}"
               f" ({smtp.security}), {limit}.")
    from .. import dbclock, dbclock_app

    dbclock.set_role("utskicksprocessen")
    click.echo(dbclock_app.describe())
    Worker(current_app._get_current_object(), settings).run_forever(stop)
    click.echo("Utskicksprocessen har stannat.")


@hti.command("mail-sink")
@click.option("--port", type=int, help="Port on 127.0.0.1 (default SMTP_PORT).")
def mail_sink_command(port: int | None) -> None:
    """Accept every email on 127.0.0.1 and keep it for the admin's Testpost page (development only)."""
    from .sink import SINK_HOST, DatabaseSink, MemorySink, StoringHandler

    port = port or current_app.config["SMTP_PORT"]
    stop = stop_on_signals()
    store = DatabaseSink(current_app._get_current_object())
    sink = MemorySink().start(port=port, handler=StoringHandler(store.store))
    click.echo(f"Testposten tar emot e-post på {SINK_HOST}:{port}; breven visas under Testpost i personalsidorna.")
    stop.wait()
    sink.stop()
    click.echo("Testposten har stannat.")


@hti.command("deliver")
@click.option("--limit", type=int, help="Send at most this many messages.")
def deliver_command(limit: int | None) -> None:
    """Send every due message now, in this process, with a progress bar."""
    from .models import WAITING, OutboxMessage, Send, SendStatus
    from .services import finish_sends, start_due_sends
    from .worker import Worker

    start_due_sends()
    db.session.commit()
    total = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).join(Send, Send.id == OutboxMessage.send_id)
        .where(Send.status == SendStatus.SENDING, OutboxMessage.status.in_(WAITING)))
    if limit:
        total = min(total, limit)
    if not total:
        click.echo("Inga brev väntar på att skickas.")
        return
    worker = Worker(current_app._get_current_object())
    try:
        with click.progressbar(length=total, label="Skickar", show_pos=True) as bar:
            sent = worker.drain(limit=limit, progress=bar.update)
    finally:
        worker.close()
    finish_sends()
    db.session.commit()
    click.echo(f"{sent} av {total} brev skickades.")


@hti.command("send-test-email")
@click.argument("email")
@click.option("--name", default="", help="The recipient's name.")
def send_test_email_command(email: str, name: str) -> None:
    """Put a test email in the outbox (the send worker sends it)."""
    from .services import DeliveryError, queue_test_email

    try:
        send = queue_test_email(email, name=name, sent_by="kommandoraden")
    except DeliveryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Provbrevet till {email} ligger i utkorgen (utskick {send.id}).")



@hti.command("unknown-outcome")
@click.argument("send_id", type=int, required=False)
@click.option("--count-as-sent", "decision", flag_value="count", help="Count every unknown message of the send as sent.")
@click.option("--send-again", "decision", flag_value="again", help="Send every unknown message of the send again.")
@click.option("--yes", is_flag=True, help="Do not ask before deciding.")
def unknown_outcome_command(send_id: int | None, decision: str | None, yes: bool) -> None:
    """List messages whose delivery is unknown, and decide for all of a send's at once."""
    from .models import OutboxMessage, OutboxStatus, Send
    from .services import DeliveryError
    from .unknowns import Decision, resolve_unknowns, unknown_count, unknown_messages

    if send_id is None:
        rows = db.session.execute(
            select(Send.id, Send.subject, func.count()).join(OutboxMessage, OutboxMessage.send_id == Send.id)
            .where(OutboxMessage.status == OutboxStatus.UNKNOWN).group_by(Send.id, Send.subject).order_by(Send.id))
        found = False
        for found_id, subject, count in rows:
            found = True
            click.echo(f"Utskick {found_id}: {format_integer(count)} brev med okänt utfall – {subject}")
        if not found:
            click.echo("Inga brev har okänt utfall.")
        return
    total = unknown_count(send_id)
    if not total:
        raise click.ClickException(f"Utskick {send_id} har inga brev med okänt utfall.")
    click.echo(f"Utskick {send_id}: {format_integer(total)} brev med okänt utfall (förbindelsen bröts efter att brevet "
               "lämnats över, innan servern svarade; de kan ha kommit fram):")
    for message in db.session.scalars(unknown_messages(send_id).limit(100)):
        click.echo(f"  {message.name} <{message.email}>" if message.name else f"  {message.email}")
    if total > 100:
        click.echo(f"  … och {format_integer(total - 100)} till.")
    if decision is None:
        click.echo("Bestäm för alla med --count-as-sent (inget skickas igen; den som inte fick brevet får inget) "
                   "eller --send-again (alla får det igen; den som redan fick det får det två gånger).")
        return
    if decision == "count":
        chosen, question = Decision.COUNT_AS_SENT, "Räkna alla som skickade? Den som inte fick brevet får inget."
    else:
        chosen, question = Decision.SEND_AGAIN, ("Skicka igen till alla? Den som redan fick brevet får det två "
                                                 "gånger.")
    if not yes and not click.confirm(question):
        click.echo("Inget ändrades.")
        return
    try:
        count = resolve_unknowns(send_id, chosen, expected=total)
    except DeliveryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{format_integer(count)} brev räknas som skickade." if chosen == Decision.COUNT_AS_SENT
               else f"{format_integer(count)} brev skickas igen.")
