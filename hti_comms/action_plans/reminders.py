"""The reminder, `ACTION_PLAN_REMINDER_MONTHS` after a year's publication: each ordering municipality's contacts get
their personal link to the action-plan form again, with what the results page shows of their plan now.

Found by a sweep over our own tables (the publication moment, the orders, `PlanReminder`), so it catches up after
downtime and is safe to run twice: a year whose reminder went out has its row, written in the same transaction
as the messages. A reminder more than `CATCH_UP` late is not sent at all (a first start on an old database must
not remind municipalities of a year long gone).
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..delivery.api import EmailSpec, Recipient, enqueue
from ..delivery.owner import Owner
from ..extensions import db
from ..formatting import genitive
from ..links import absolute
from ..publication.entitlement import entitled_contacts_of_year
from ..publication.moments import known_years, moments
from .links import plan_form_url
from .models import PlanReminder
from .register import measures_of

REMINDER_KIND = "action_plan_reminder"
#: How late a reminder may still go out (the scheduler was down, or the setting was changed).
CATCH_UP = timedelta(days=30)


def add_months(moment: datetime, months: int) -> datetime:
    """Return the same Stockholm wall-clock time `months` later (the last day of a shorter month), in UTC."""
    local = clock.to_stockholm(moment)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    from ..scheduling.localtime import stockholm_to_utc

    return stockholm_to_utc(local.replace(tzinfo=None, year=year, month=month, day=day))


def reminder_at(year: int) -> datetime | None:
    """Return when the year's reminder is due, or None while the year has no publication moment."""
    published_at = moments(year).published_at
    if published_at is None:
        return None
    return add_months(published_at, current_app.config["ACTION_PLAN_REMINDER_MONTHS"])


def reminder_spec(year: int, municipality) -> EmailSpec:
    """Return the reminder of one municipality: its registered measures now, and the link (per recipient)."""
    measures = [{"area": m.area.label, "text": m.text, "status": m.status.label.lower()}
                for m in measures_of(year, municipality.code)]
    name = municipality.short_name
    return EmailSpec(
        template="action_plans/reminder", subject=f"Hur går arbetet med {genitive(name)} resultat i Hemtjänstindex "
                                                  f"{year}?",
        context={"year": year, "municipality_name": name, "measures": measures,
                 "results_url": absolute(f"/resultat/{year}/{municipality.code}")},
        kind=REMINDER_KIND, reference=f"action-plan-reminder:{year}:{municipality.code}",
        owner=Owner.of("action_plans", "reminder", year, municipality.code))


def send_reminders(year: int) -> int:
    """Record the year's reminder and queue it to every entitled contact of every live order; return how many
    messages (the caller commits). The record goes first: its primary key makes a second run at the same moment
    fail (IntegrityError) before it queues anything."""
    record = PlanReminder(year=year, sent_at=clock.now(), recipients=0)
    db.session.add(record)
    db.session.flush()
    added = 0
    for code, contacts in entitled_contacts_of_year(year).items():
        if not contacts:
            continue
        spec = reminder_spec(year, contacts[0].order.municipality)
        enqueue(spec, [Recipient(oc.contact.email, oc.contact.name, oc.contact.id,
                                 {"plan_url": plan_form_url(oc.key, year, code)}, link_key=oc.contact.link_key)
                       for oc in contacts])
        added += len(contacts)
    record.recipients = added
    return added


def send_due_reminders() -> int:
    """Sweep: send the reminder of every year that is due (and not too late), once; return how many messages."""
    now = clock.now()
    added = 0
    for year in known_years():
        due = reminder_at(year)
        if due is None or not due <= now < due + CATCH_UP or db.session.get(PlanReminder, year) is not None:
            continue
        try:
            added += send_reminders(year)
            db.session.commit()
        except IntegrityError:  # another scheduler run sent it at the same moment
            db.session.rollback()
    return added
