"""Next year: the events, circulars and newsletters of a year's cycle copied to the next, shown before saving.

Every date moves to the same weekday of the corresponding ISO week (Thursday 7 November 2024 → Thursday
6 November 2025), at the same Stockholm time. Titles and subjects that name the year name the next one. The
publication event is not copied: the next year's own is created linked to its moment, which is proposed the same
way when it is not set yet. Copies of newsletters and circulars are drafts with a planned day; an events section
points at the copies of its events. What already exists in the next year (the same kind, title and time) is shown
as such and not made twice, so pressing the button again adds nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..events.copies import copy_event, events_between
from ..events.models import Event, EventKind
from ..newsletters.copies import copy_newsletter, newsletters_between, planned_at
from ..newsletters.models import Newsletter
from ..publication.moments import moments
from .cycle import moment_next_year, same_weekday_next_year, window


@dataclass(frozen=True)
class CopyItem:
    """One thing the copy makes: what it is now, and what it becomes next year."""

    key: str
    what: str
    title: str
    new_title: str
    at: datetime | None
    new_at: datetime | None
    #: The next year already has it (same kind, title and time): it is not made again.
    exists: bool = False


def _next_title(text: str, year: int) -> str:
    """Return the text with the year (and the year before) moved on by one: "Hemtjänstindex 2024" → "… 2025"."""
    return re.sub(rf"\b({year - 1}|{year})\b", lambda m: str(int(m.group(1)) + 1), text or "")


def copy_items(year: int) -> list[CopyItem]:
    """Return what copying `year`'s cycle to the next year would make, in time order."""
    steps = moments(year)
    start, end = window(year, steps.published_at)
    items = []
    next_moment = moments(year + 1).published_at
    if steps.published_at is not None:
        proposed = moment_next_year(steps.published_at)
        items.append(CopyItem("publication", "Publicering", f"Hemtjänstindex {year} publiceras",
                              f"Hemtjänstindex {year + 1} publiceras", steps.published_at, next_moment or proposed,
                              exists=next_moment is not None))
    for event in events_between(start, end):
        if event.kind is EventKind.PUBLICERING:
            continue  # next year's is made linked to its own moment
        new_at = moment_next_year(clock.as_utc(event.starts_at))
        title = _next_title(event.title, year)
        items.append(CopyItem(f"event:{event.id}", event.kind.label, event.title, title, clock.as_utc(event.starts_at),
                              new_at, exists=_event_exists(event.kind, title, new_at)))
    for newsletter in newsletters_between(start, end):
        at = planned_at(newsletter)
        # A draft with no day yet belongs to the cycle it was written in: its copy is planned a year on from then.
        new_at = moment_next_year(at or clock.as_utc(newsletter.created_at))
        subject = _next_title(newsletter.subject, year)
        items.append(CopyItem(f"newsletter:{newsletter.id}", newsletter.kind.label, newsletter.label,
                              subject, at, new_at, exists=_newsletter_exists(newsletter, subject)))
    return sorted(items, key=lambda item: (item.at is None, item.at or start))


def _event_exists(kind: EventKind, title: str, starts_at: datetime) -> bool:
    return db.session.scalar(select(Event.id).where(Event.kind == kind, Event.title == title,
                                                    Event.starts_at == starts_at).limit(1)) is not None


def _newsletter_exists(newsletter: Newsletter, subject: str) -> bool:
    return db.session.scalar(select(Newsletter.id).where(
        Newsletter.kind == newsletter.kind, Newsletter.subject == subject, Newsletter.id != newsletter.id,
        Newsletter.created_at > newsletter.created_at).limit(1)) is not None


def copy_to_next_year(year: int, keys: set[str], *, actor: str) -> int:
    """Make the chosen items of `copy_items(year)` in the next year; commit. Return how many were made."""
    from ..events.publication_link import create_linked, linked_events
    from ..publication.moments import set_publication

    made = 0
    event_ids: dict[int, int] = {}
    items = [item for item in copy_items(year) if item.key in keys and not item.exists]
    for item in items:
        kind, _, ident = item.key.partition(":")
        if kind == "publication":
            set_publication(year + 1, item.new_at, actor=actor)
            if not linked_events(year + 1):
                create_linked(year + 1, item.new_at)
            made += 1
        elif kind == "event":
            original = db.session.get(Event, int(ident))
            event_ids[original.id] = copy_event(original, title=item.new_title, starts_at=item.new_at).id
            made += 1
    for item in items:
        kind, _, ident = item.key.partition(":")
        if kind == "newsletter":
            original = db.session.get(Newsletter, int(ident))
            copy_newsletter(original, subject=item.new_title, heading=_next_title(original.heading, year),
                            letter_date=same_weekday_next_year(original.letter_date) if original.letter_date else None,
                            planned_on=item.new_at.date() if item.new_at else None, event_ids=event_ids,
                            created_by=actor)
            made += 1
    db.session.commit()
    return made
