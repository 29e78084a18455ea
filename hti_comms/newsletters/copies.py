"""Copies of newsletters and circulars: one button on a newsletter's page, and next year's cycle (the year plan).

A copy is always a draft with the next number, whatever the original's state: its sections, images and letter
parts, never what was sent (recipients, counts, the archive). A "Kommande evenemang" section can be pointed at
the copies of its events.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from sqlalchemy import or_, select

from .. import clock
from ..extensions import db
from .models import Newsletter, NewsletterKind, NewsletterStatus, Section, SectionImage
from .services import proposed_number


def copy_newsletter(newsletter: Newsletter, *, subject: str | None = None, heading: str | None = None,
                    letter_date: date | None = None, planned_on: date | None = None,
                    event_ids: Mapping[int, int] | None = None, created_by: str = "") -> Newsletter:
    """Return a new draft like `newsletter`; `event_ids` maps chosen events to their copies. The caller commits."""
    now = clock.now()
    copy = Newsletter(
        kind=newsletter.kind, status=NewsletterStatus.DRAFT, subject=subject or newsletter.subject,
        heading=heading if heading is not None else newsletter.heading, topics=newsletter.topics,
        intro=newsletter.intro, list_key=newsletter.list_key, audience_ids=list(newsletter.audience_ids or []),
        addressee=newsletter.addressee, letter_date=letter_date or newsletter.letter_date, planned_on=planned_on,
        forward_note=newsletter.forward_note, forward_url=newsletter.forward_url,
        signature_name=newsletter.signature_name, signature_title=newsletter.signature_title,
        confirmed_warnings=[], created_by=created_by, created_at=now, updated_at=now, is_demo=False,
        number=proposed_number() if newsletter.kind is NewsletterKind.NEWSLETTER else None)
    for section in newsletter.sections:
        data = dict(section.data or {})
        if event_ids and "event_ids" in data:
            data["event_ids"] = [event_ids.get(int(i), int(i)) for i in data["event_ids"] if str(i).isdigit()]
        new = Section(position=section.position, kind=section.kind, title=section.title, body=section.body,
                      data=data, link_url=section.link_url, link_text=section.link_text, image_alt=section.image_alt)
        if section.image is not None:
            image = section.image
            new.image = SectionImage(filename=image.filename, content_type=image.content_type, width=image.width,
                                     height=image.height, data=image.data, created_at=now)
        copy.sections.append(new)
    db.session.add(copy)
    db.session.flush()
    return copy


def planned_at(newsletter: Newsletter) -> datetime | None:
    """Return when a newsletter goes or went out (started, scheduled, or a draft's planned day at 09.00), or None."""
    moment = newsletter.started_at or newsletter.scheduled_at
    if moment:
        return clock.as_utc(moment)
    day = newsletter.planned_on or (newsletter.letter_date if newsletter.is_circular else None)
    if day is None:
        return None
    from ..scheduling.localtime import stockholm_to_utc

    return stockholm_to_utc(datetime.combine(day, time(9, 0)))


def newsletters_between(start: datetime, end: datetime) -> list[Newsletter]:
    """Return the newsletters and circulars of a period (not cancelled) by the first of: when sent, when
    scheduled, the day planned, a circular's date, when a draft was made."""
    undated = Newsletter.planned_on.is_(None) & Newsletter.scheduled_at.is_(None) & Newsletter.started_at.is_(None)
    rows = db.session.scalars(select(Newsletter).where(
        Newsletter.status != NewsletterStatus.CANCELLED,
        or_(Newsletter.started_at.between(start, end),
            Newsletter.started_at.is_(None) & Newsletter.scheduled_at.between(start, end),
            Newsletter.started_at.is_(None) & Newsletter.scheduled_at.is_(None)
            & Newsletter.planned_on.between(start.date(), end.date()),
            undated & Newsletter.letter_date.between(start.date(), end.date()),
            undated & Newsletter.letter_date.is_(None) & Newsletter.created_at.between(start, end)))
        .order_by(Newsletter.id))
    return list(rows)


def invitations(event_ids: list[int]) -> dict[int, list[Newsletter]]:
    """Return {event id: newsletters scheduled or sent with it in a "Kommande evenemang" section}."""
    found: dict[int, list[Newsletter]] = {event_id: [] for event_id in event_ids}
    rows = db.session.execute(select(Newsletter, Section.data).join(Section).where(
        Section.kind == "events", Newsletter.status.in_((NewsletterStatus.SCHEDULED, NewsletterStatus.SENDING,
                                                         NewsletterStatus.SENT))))
    for newsletter, data in rows:
        for event_id in (data or {}).get("event_ids", []):
            if str(event_id).isdigit() and int(event_id) in found and newsletter not in found[int(event_id)]:
                found[int(event_id)].append(newsletter)
    return found


def undated_drafts() -> list[Newsletter]:
    """Return the drafts with no day planned and no time scheduled (the year plan lists them as missing a time)."""
    return list(db.session.scalars(select(Newsletter).where(
        Newsletter.status == NewsletterStatus.DRAFT, Newsletter.planned_on.is_(None),
        Newsletter.scheduled_at.is_(None)).order_by(Newsletter.id)))
