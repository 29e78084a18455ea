"""`hti newsletter …`: create a draft from Markdown, check, send or schedule, and show the status."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import select

from ..checks import has_errors
from ..cli import hti
from ..delivery.services import send_counts
from ..delivery.unknowns import send_status_text
from ..extensions import db
from ..formatting import counted, format_datetime, format_integer
from ..scheduling.localtime import dst_note, read_wall_clock, stockholm_to_utc
from ..subscribers.audiences import sizes_in_words
from ..subscribers.models import Audience, MailingList
from .audience import letter_count, recipient_count
from .checks import check_newsletter
from .models import Newsletter, NewsletterKind
from .services import NewsletterError, NewsletterFields, SectionFields, create_newsletter, get_newsletter
from .sending import schedule, send_now

newsletter_group = click.Group("newsletter", help="Newsletters and circulars: create, check, send, status.")
hti.add_command(newsletter_group)

_READ_MORE = re.compile(r"^\[([^\]]+)\]\((\S+)\)\s*$")


def parse_markdown_file(text: str) -> tuple[str, list[SectionFields]]:
    """Split Markdown into an introduction and sections at `## ` headings.

    A section whose last paragraph is a single link ("[Läs hela rapporten](https://…)") gets it as its
    "Läs mer" link.
    """
    text = text.replace("\r\n", "\n")
    parts = re.split(r"(?m)^## +", text)
    intro, sections = parts[0].strip(), []
    for part in parts[1:]:
        title, _, body = part.partition("\n")
        body = body.strip()
        link_url = link_text = ""
        paragraphs = body.split("\n\n")
        match = _READ_MORE.match(paragraphs[-1].strip()) if paragraphs else None
        if match and len(paragraphs) > 1:
            link_text, link_url = match.group(1).strip(), match.group(2)
            body = "\n\n".join(paragraphs[:-1]).strip()
        sections.append(SectionFields(title=title.strip().rstrip("#").strip(), body=body, link_url=link_url,
                                      link_text=link_text))
    return intro, sections


def _targets(names: tuple[str, ...]) -> tuple[str | None, list[int]]:
    """Return (list key, audience ids) for --audience names: saved audience names, or list keys/names."""
    list_key, audience_ids = None, []
    for name in names:
        audience = db.session.scalar(select(Audience).where(Audience.name == name.strip()))
        if audience is not None:
            audience_ids.append(audience.id)
            continue
        mailing_list = db.session.scalar(select(MailingList).where(
            (MailingList.key == name.strip()) | (MailingList.name == name.strip())))
        if mailing_list is None:
            raise click.ClickException(f"Det finns ingen målgrupp eller lista som heter ”{name}”.")
        if list_key not in (None, mailing_list.key):
            raise click.ClickException("Ett utskick går på en lista; ange högst en lista (och valfritt antal "
                                       "målgrupper).")
        list_key = mailing_list.key
    return list_key, audience_ids


@newsletter_group.command("create")
@click.option("--subject", required=True,
              help="The subject line (a newsletter's number is added by itself: do not write it here).")
@click.option("--markdown", "markdown_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Markdown file; '## ' headings start sections.")
@click.option("--audience", "audiences", multiple=True, help="A saved audience or a list (repeatable).")
@click.option("--kind", type=click.Choice(["newsletter", "circular"]), default="newsletter", show_default=True)
def create_command(subject: str, markdown_file: str, audiences: tuple[str, ...], kind: str) -> None:
    """Create a draft from a Markdown file and print its id (the last number on the last line)."""
    intro, sections = parse_markdown_file(Path(markdown_file).read_text(encoding="utf-8"))
    list_key, audience_ids = _targets(audiences)
    newsletter = create_newsletter(NewsletterKind(kind), subject, created_by="kommandoraden",
                                   fields=NewsletterFields(intro=intro, list_key=list_key,
                                                           audience_ids=audience_ids or None),
                                   sections=sections)
    click.echo(f"Utkast skapat: {newsletter.label}, {len(sections)} avsnitt, {_recipients_now(newsletter)}.")
    click.echo(f"Id: {newsletter.id}")


def _recipients_now(newsletter: Newsletter) -> str:
    """Return how many the newsletter reaches now, by email and by letter: "3 mottagare just nu: 2 med e-post och 1
    med brev på papper" (only "N mottagare just nu" when no one gets a letter)."""
    return sizes_in_words((recipient_count(newsletter), letter_count(newsletter)))


def _load(newsletter_id: int) -> Newsletter:
    try:
        return get_newsletter(newsletter_id)
    except NewsletterError as exc:
        raise click.ClickException(str(exc)) from None


@newsletter_group.command("check")
@click.argument("newsletter_id", type=int)
def check_command(newsletter_id: int) -> None:
    """Print every finding; exit with status 1 when there is an error."""
    newsletter = _load(newsletter_id)
    findings = check_newsletter(newsletter)
    for finding in findings:
        click.echo(str(finding))
    errors = sum(1 for f in findings if f.is_error)
    click.echo(f"{newsletter.label}: {errors} fel, {counted(len(findings) - errors, 'varning', 'varningar')}, "
               f"{_recipients_now(newsletter)}.")
    if has_errors(findings):
        raise SystemExit(1)


def _parse_at(value: str) -> datetime:
    try:
        local = read_wall_clock(value)
    except ValueError:
        local = None
    if local is None:
        raise click.BadParameter("skriv datum och tid som \"2026-12-01 09:00\" (svensk tid)", param_hint="--at")
    return local


@newsletter_group.command("send")
@click.argument("newsletter_id", type=int)
@click.option("--at", "at", help='Stockholm time, e.g. "2026-12-01 09:00"; without it the send starts now.')
@click.option("--accept-warnings", is_flag=True, help="Confirm the checks' warnings (errors always stop it).")
def send_command(newsletter_id: int, at: str | None, accept_warnings: bool) -> None:
    """Run the checks, then send now or schedule for a Stockholm time."""
    newsletter = _load(newsletter_id)
    local = _parse_at(at) if at else None
    send_at = stockholm_to_utc(local) if local else None
    findings = check_newsletter(newsletter, send_at)
    for finding in findings:
        click.echo(str(finding))
    confirmed = [f.message for f in findings if not f.is_error] if accept_warnings else []
    if not has_errors(findings) and any(not f.is_error for f in findings) and not accept_warnings:
        raise click.ClickException("Kontrollen gav varningar. Läs dem och kör igen med --accept-warnings för att "
                                   "skicka ändå.")
    try:
        if send_at is None:
            letters = letter_count(newsletter)
            send_now(newsletter.id, confirmed)
            newsletter = get_newsletter(newsletter_id)
            by_letter = f" och {format_integer(letters)} med brev på papper" if letters else ""
            click.echo(f"{newsletter.label} skickas nu till {format_integer(newsletter.recipient_count)} "
                       f"mottagare{' med e-post' if letters else ''}{by_letter}.")
        else:
            schedule(newsletter, send_at, confirmed)
            click.echo(dst_note(local, f"{newsletter.label} skickas")
                       or f"{newsletter.label} skickas {format_datetime(send_at)}.")
    except NewsletterError as exc:
        raise click.ClickException(str(exc)) from None


@newsletter_group.command("status")
@click.argument("newsletter_id", type=int)
def status_command(newsletter_id: int) -> None:
    """Print the status, the delivery counts and the clicks per link."""
    newsletter = _load(newsletter_id)
    click.echo(f"{newsletter.label}")
    click.echo(f"Status: {newsletter.status.label}")
    if newsletter.scheduled_at:
        click.echo(f"Skickas: {format_datetime(newsletter.scheduled_at)}")
    if newsletter.stopped_reason:
        click.echo(newsletter.stopped_reason)
    if newsletter.send_id is None:
        email, letters = recipient_count(newsletter), letter_count(newsletter)
        by_letter = (f" ({format_integer(email)} med e-post och {format_integer(letters)} med brev på papper)"
                     if letters else "")
        click.echo(f"Mottagare just nu: {format_integer(email + letters)}{by_letter}")
        return
    counts = send_counts(newsletter.send_id)
    waiting = counts["queued"] + counts["sending"] + counts["deferred"]
    click.echo(f"Utskicket i utkorgen: {send_status_text(newsletter.send_id)}")
    click.echo(f"Mottagare: {format_integer(counts['total'])}; levererade {format_integer(counts['sent'])}, "
               f"misslyckade {format_integer(counts['failed'])}, okänt {format_integer(counts['unknown'])}, "
               f"väntar {format_integer(waiting)}, stoppade {format_integer(counts['cancelled'])}, "
               f"spärrade {format_integer(counts['suppressed'])}")
    for link in newsletter.links:
        click.echo(f"Klick {format_integer(link.clicks)}: {link.text} ({link.url}) – {link.place}")


@newsletter_group.command("list")
def list_command() -> None:
    """List every newsletter and circular with its id and status."""
    from .services import all_newsletters

    for newsletter in all_newsletters():
        click.echo(f"{newsletter.id}\t{newsletter.status.label}\t{newsletter.label}")
