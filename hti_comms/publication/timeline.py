"""The publication timeline of a year (every step with its time, countdown and state) and the dry run."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .. import clock
from ..delivery import api as delivery
from ..extensions import db
from ..formatting import counted, format_datetime
from ..steps import DONE, FAILED, RUNNING, WAITING, Step, year_steps
from . import audit
from .models import LIVE_ORDER_STATUSES, AuditAction, Order
from .moments import Moments, moments
from .entitlement import entitled_contacts
from .owners import ACCESS, DOMAIN as OWNER_DOMAIN, SUMMARY, year_keys

#: Events of the events domain this long before and after the publication belong to its timeline.
EVENT_WINDOW_BEFORE = timedelta(days=60)
EVENT_WINDOW_AFTER = timedelta(days=21)


def send_counts(kind: str, year: int) -> dict[str, int]:
    """Return {'väntar': n, 'skickade': n, 'misslyckade': n, 'stoppade': n} over the year's sends of a kind."""
    return delivery.progress(delivery.counts(domain=OWNER_DOMAIN, kind=kind, keys=year_keys(year)))


def _send_state(at: datetime | None, counts: dict[str, int], now: datetime) -> str:
    if at is None or now < at:
        return WAITING
    if counts["misslyckade"]:
        return FAILED
    if counts["väntar"]:
        return RUNNING
    return DONE


def timeline(year: int) -> list[Step]:
    """Return every step of the year in time order."""
    steps = moments(year)
    now = clock.now()
    orders = db.session.scalar(select(func.count()).select_from(Order).where(
        Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES)))
    summaries = send_counts(SUMMARY, year)
    # A summary whose figures disagreed with the results was never enqueued: it counts as failed here.
    withheld = audit.municipalities_with(year, AuditAction.SUMMARY_WITHHELD)
    summary_state = _send_state(steps.embargo_release_at, summaries, now)
    if withheld:
        summaries = {**summaries, "kommuner stoppade: siffrorna stämmer inte": withheld}
        summary_state = FAILED if summary_state != WAITING else summary_state
    access = send_counts(ACCESS, year)
    page = ("publication_admin.year", {"year": year})
    items = [
        Step("Beställningen stänger", steps.orders_close_at,
             DONE if steps.orders_close_at and now >= steps.orders_close_at else WAITING, {"beställningar": orders},
             page=page, kind="publication"),
        Step("Embargot släpps: sammanfattningar till de beställande kommunerna", steps.embargo_release_at,
             summary_state, summaries, page=page, kind="publication"),
        Step("Publicering: resultaten blir offentliga", steps.published_at,
             DONE if steps.is_published(now) else WAITING, page=page, kind="publication"),
        Step("Tillgångsbrev till kontaktpersonerna", steps.published_at, _send_state(steps.published_at, access, now),
             access, page=page, kind="publication"),
    ]
    items.extend(_events(steps, now))
    items.extend(year_steps(year))  # what other domains send at the moment: briefs, alerts
    return sorted(items, key=lambda s: (s.at is None, s.at or now))


def _events(steps: Moments, now: datetime) -> list[Step]:
    if steps.published_at is None:
        return []
    from ..events.models import Event

    events = db.session.scalars(select(Event).where(
        Event.starts_at >= steps.published_at - EVENT_WINDOW_BEFORE,
        Event.starts_at <= steps.published_at + EVENT_WINDOW_AFTER).order_by(Event.starts_at))
    found = []
    for event in events:
        if event.is_cancelled:
            state = "Inställt"
        elif now >= clock.as_utc(event.ends_at):
            state = DONE
        elif now >= clock.as_utc(event.starts_at):
            state = RUNNING
        else:
            state = WAITING
        found.append(Step(f"{event.kind.label}: {event.title}", clock.as_utc(event.starts_at), state, kind="event",
                          page=("events_admin.event", {"event_id": event.id})))
    return found


@dataclass
class DryRun:
    at: datetime
    lines: list[tuple[str, str]]
    summary_municipalities: list[tuple[str, int]]


def dry_run(year: int, at: datetime) -> DryRun:
    """Return what each audience would see and receive at `at`, as if the clock read it; nothing is sent."""
    steps = moments(year)
    lines = []
    published = steps.is_published(at)
    released = steps.is_embargo_released(at)
    lines.append(("Allmänheten", f"Resultatsidorna, listan och filerna för {year} visas." if published else
                  f"Allt om resultaten för {year} svarar som om året inte fanns (sidan finns inte)."))
    lines.append(("Beställningsformuläret", "Tar emot beställningar." if steps.is_ordering_open(at) and not published
                  else "Stängt."))
    municipalities = []
    if released and not published:
        for order in db.session.scalars(select(Order).where(Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES))
                                        .order_by(Order.received_at, Order.sequence)):
            contacts = len(entitled_contacts(order))
            if contacts:
                municipalities.append((order.municipality.short_name, contacts))
        lines.append(("Beställande kommuner", f"{counted(len(municipalities), 'kommun', 'kommuner')} har fått eller "
                      "får sin egen sammanfattning under embargo, bara sin egen."))
    elif published:
        lines.append(("Beställande kommuner", "Sammanfattningar under embargo skickas inte längre; "
                      "kontaktpersonerna får tillgångsbrevet med länken till analysen."))
    else:
        when = format_datetime(steps.embargo_release_at) if steps.embargo_release_at else "när publiceringen är satt"
        lines.append(("Beställande kommuner", f"Inget ännu: sammanfattningarna skickas {when}."))
    lines.append(("Nyhetsbrev och resultatbrev", "Får innehålla årets resultat." if published else
                  "Brev med årets resultat hålls kvar till publiceringen; nyhetsbrev med opublicerade siffror stoppas."))
    lines.append(("Personliga länkar till sammanfattningen", "Fungerar för mottagaren." if released else
                  "Svarar som om sidan inte fanns."))
    return DryRun(at, lines, municipalities)
