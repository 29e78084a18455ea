"""The access emails at publication: the results are public, and where each ordering municipality's page is.

Sent by a scheduler sweep once a year's publication has passed; the embargoed summaries not yet sent by then are
withdrawn (`publication.summaries`).
"""
from __future__ import annotations

from ..delivery import api as delivery
from ..delivery.api import EmailSpec, Recipient, enqueue
from .. import clock
from ..extensions import db
from ..formatting import genitive
from ..geo.models import Municipality
from ..links import absolute
from . import audit
from .entitlement import entitled_contacts
from .models import AuditAction, Publication
from .moments import known_years, moments
from .owners import DOMAIN as OWNER_DOMAIN, SUMMARY, access_owner, year_keys
from .summaries import _orders

ACCESS_KIND = "report_access"


def send_access_emails(year: int) -> int:
    """At publication: the access email (link to the analysis) to every confirmed contact of every order; return
    how many messages were added (the caller commits). Withdraw embargoed summaries not yet sent."""
    steps = moments(year)
    if not steps.is_published():
        return 0
    publication = db.session.get(Publication, year)
    if publication is not None and publication.access_sent_at is not None:
        return 0
    orders = _orders(year)
    if not orders:
        return 0
    # The personal link to the municipality's action-plan form (the action_plans domain's page) goes with it.
    from ..action_plans.links import plan_form_url

    added = 0
    for order in orders:
        contacts = entitled_contacts(order)
        if not contacts:
            continue
        spec = access_spec(year, order.municipality)
        enqueue(spec, [Recipient(oc.contact.email, oc.contact.name, oc.contact.id,
                                 {"action_plan_url": plan_form_url(oc.key, year, order.municipality_code)},
                                 link_key=oc.contact.link_key) for oc in contacts])
        added += len(contacts)
    _withdraw_unsent_summaries(year)
    if publication is None:
        publication = Publication(year=year, updated_at=clock.now())
        db.session.add(publication)
    publication.access_sent_at = clock.now()
    audit.record(year, AuditAction.ACCESS_SENT, actor=audit.SCHEDULER, detail=f"{added} tillgångsbrev.")
    return added


def access_spec(year: int, municipality: Municipality) -> EmailSpec:
    """Return the access email of a municipality: the results are public, and where its own page is.

    The link goes to the public results page everyone sees, and the email says so.
    """
    name = municipality.short_name
    return EmailSpec(
        template="publication/access", subject=f"Nu är Hemtjänstindex {year} publicerat: {genitive(name)} resultat",
        context={"year": year, "municipality_name": name,
                 "results_url": absolute(f"/resultat/{year}/{municipality.code}")},
        kind=ACCESS_KIND, reference=f"report-access:{year}:{municipality.code}",
        owner=access_owner(year, municipality.code))


def _withdraw_unsent_summaries(year: int) -> None:
    """Withdraw the year's summaries not yet sent at the publication (rows a crashed worker held included)."""
    delivery.withdraw(domain=OWNER_DOMAIN, kind=SUMMARY, keys=year_keys(year))


def send_due_access_emails() -> int:
    """Sweep: the access emails of every year whose publication has passed and whose emails have not gone."""
    return sum(send_access_emails(year) for year in known_years())
