"""A year's whole cycle on one line: courses, webinars, ordering, embargo, publication, briefs and alerts, the
webcast, and every newsletter or circular, each with its state and what is missing.

Every part comes from the domain that owns it: the publication timeline (its moments, the briefs and alerts at
publication), the events and the newsletters (through their services); nothing is copied here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import clock
from ..events.copies import events_between, missing_links
from ..events.councils import DEFAULT_YEARS, trained_count
from ..events.models import Event, EventKind
from ..events.publication_link import linked_events
from ..newsletters.copies import invitations, newsletters_between, planned_at, undated_drafts
from ..newsletters.models import Newsletter, NewsletterStatus
from ..publication.contradictions import contradictions
from ..publication.moments import moments
from ..publication.timeline import timeline
from ..steps import DONE, RUNNING, WAITING, Step
from .cycle import window

MISSING = "Saknas"
#: What an event of each kind is called in "Ingen inbjudan schemalagd till …".
INVITED_TO = {EventKind.KURS: "kursen", EventKind.WEBBINARIUM: "webbinariet", EventKind.WEBBSANDNING: "sändningen"}


@dataclass
class YearPlan:
    year: int
    published_at: datetime | None
    start: datetime
    end: datetime
    items: list[Step] = field(default_factory=list)
    #: Events, sends and reminders that contradict the publication moment (from the publication domain).
    warnings: list[str] = field(default_factory=list)
    #: Municipalities whose pensioner council has someone who took the basic course (events.councils), of all.
    councils_trained: tuple[int, int] = (0, 0)

    @property
    def missing(self) -> list[str]:
        return [problem for item in self.items for problem in item.problems]


def year_plan(year: int) -> YearPlan:
    """Return the plan of `year`'s cycle, in time order (what has no time yet last)."""
    steps = moments(year)
    start, end = window(year, steps.published_at)
    plan = YearPlan(year, steps.published_at, start, end, warnings=contradictions(year),
                    councils_trained=trained_count(DEFAULT_YEARS, year))
    items = [step for step in timeline(year) if step.kind != "event"]
    events = events_between(start, end)
    invited = invitations([event.id for event in events])
    items += [_event_step(event, invited.get(event.id, [])) for event in events]
    items += _missing_events(year, events, steps.published_at)
    items += [_newsletter_step(newsletter) for newsletter in newsletters_between(start, end)]
    if end > clock.now():
        shown = {item.page[1].get("newsletter_id") for item in items if item.page and item.kind == "newsletter"}
        items += [_newsletter_step(n) for n in undated_drafts() if n.id not in shown]
    now = clock.now()
    plan.items = sorted(items, key=lambda s: (s.at is None, s.at or now))
    return plan


def _event_step(event: Event, invited: list[Newsletter]) -> Step:
    now = clock.now()
    starts_at, ends_at = clock.as_utc(event.starts_at), clock.as_utc(event.ends_at)
    state = DONE if now >= ends_at else RUNNING if now >= starts_at else WAITING
    problems = missing_links(event)
    if event.kind in INVITED_TO and not invited and now < starts_at:
        problems.append(f"Ingen inbjudan schemalagd till {INVITED_TO[event.kind]} ”{event.title}”.")
    note = ("Inbjudan: " + ", ".join(n.label for n in invited) + ".") if invited else ""
    return Step(f"{event.kind.label}: {event.title}", starts_at, state, problems=problems, note=note, kind="event",
                page=("events_admin.event", {"event_id": event.id}))


def _missing_events(year: int, events: list[Event], published_at: datetime | None) -> list[Step]:
    """Steps for what every cycle has and this one lacks: the course, the webinar before, the webcast after."""
    found = []
    page = ("events_admin.new_event", {})
    if not any(e.kind is EventKind.KURS for e in events):
        found.append(Step("Grundkurs", None, MISSING, problems=[f"Ingen grundkurs är inlagd för {year}."],
                          page=page, kind="event"))
    before = [e for e in events if published_at is None or clock.as_utc(e.starts_at) < published_at]
    if not any(e.kind is EventKind.WEBBINARIUM for e in before):
        found.append(Step("Webbinarium före publiceringen", None, MISSING,
                          problems=["Inget webbinarium före publiceringen är inlagt."], page=page, kind="event"))
    after = [e for e in events if published_at is not None and clock.as_utc(e.starts_at) > published_at]
    if not any(e.kind is EventKind.WEBBSANDNING for e in after):
        found.append(Step("Vinnarnas webbsändning", None, MISSING,
                          problems=["Ingen webbsändning med vinnarna är inlagd efter publiceringen."], page=page,
                          kind="event"))
    if published_at is not None and not linked_events(year):
        found.append(Step("Publiceringen i kalendern", published_at, MISSING,
                          problems=[f"Publiceringen {year} finns inte i kalendern (eller följer inte "
                                    "publiceringstiden)."], page=("publication_admin.year", {"year": year}),
                          kind="event"))
    return found


def _newsletter_step(newsletter: Newsletter) -> Step:
    problems = []
    if newsletter.status is NewsletterStatus.DRAFT:
        problems.append(f"{newsletter.label} är inte schemalagt."
                        + (f" Planerat {newsletter.planned_on:%Y-%m-%d}." if newsletter.planned_on else ""))
    if newsletter.stopped_reason and newsletter.status is NewsletterStatus.DRAFT:
        problems.append(newsletter.stopped_reason)
    state = {NewsletterStatus.SENT: DONE, NewsletterStatus.SENDING: RUNNING}.get(newsletter.status,
                                                                               newsletter.status.label)
    return Step(newsletter.label, planned_at(newsletter), state, problems=problems, kind="newsletter",
                page=("newsletters_admin.show", {"newsletter_id": newsletter.id}))

