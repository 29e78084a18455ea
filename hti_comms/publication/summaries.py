"""Embargoed summaries (publication − 24 h, only each ordering municipality's own); the access emails at publication
are `publication.access`.

Both are sent by scheduler sweeps that look at the clock and at our own tables, so they catch up after downtime
and are safe to run twice: a send's reference names the year and the municipality, and enqueue adds only the
recipients the send does not have yet.
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock
from ..delivery import api as delivery
from ..delivery.api import EmailBuildError, EmailSpec, Recipient, check_buildable
from ..extensions import db
from ..formatting import format_datetime
from ..geo.models import Municipality
from ..results.ranking import YearRanking
from . import audit
from .links import summary_url
from .models import LIVE_ORDER_STATUSES, AuditAction, Order, OrderContact
from .moments import embargo_label, known_years, moments
from .entitlement import entitled_contacts
from . import prepared
from .owners import DOMAIN as OWNER_DOMAIN, SUMMARY, summary_owner, year_keys

logger = logging.getLogger(__name__)

SUMMARY_KIND = "embargo_summary"


def summary_reference(year: int, municipality_code: str) -> str:
    """The idempotency reference of a municipality's summary send (its owner is `owners.summary_owner`)."""
    return f"embargo-summary:{year}:{municipality_code}"


def summary_context(year: int, municipality_code: str, ranking: YearRanking | None = None, *,
                    published_at: datetime | None = None, plans=None) -> dict:
    """Return what a municipality's embargoed summary shows, built from its talking points (display text).

    One function, so that a check of the figures (re-derived from the stored results) can be run on exactly
    what is sent before it is enqueued. `published_at`: the publication moment, when the caller has read it;
    `plans`: the earlier action plans of every municipality (`action_plans.followup.earlier_plans`), read once.
    """
    from ..briefs.services import brief_context
    from ..briefs.talking_points import build_talking_points

    municipality = db.session.get(Municipality, municipality_code)
    points = build_talking_points(municipality, year, ranking, plans)
    published_at = published_at or moments(year).published_at
    brief = brief_context(points)
    # The change since last year is the talking points' own sentence (its one owner), said once, up front.
    change = next(iter(points.texts("trend")), None)
    brief["facts"] = [text for text in brief["facts"] if text != change]
    return {
        "brief": brief,
        "change": change,
        "embargo": embargo_label(published_at) if published_at else "",
        "published_at": format_datetime(published_at) if published_at else "",
    }


def summary_spec(year: int, municipality_code: str, ranking: YearRanking | None = None, *,
                 published_at: datetime | None = None, plans=None) -> EmailSpec:
    context = summary_context(year, municipality_code, ranking, published_at=published_at, plans=plans)
    name = context["brief"]["municipality_name"]
    return EmailSpec(template="publication/embargo_summary",
                     subject=f"{context['embargo']} – {name} i Hemtjänstindex {year}",
                     context=context, kind=SUMMARY_KIND, reference=summary_reference(year, municipality_code),
                     owner=summary_owner(year, municipality_code))


def _recipients(order: Order, contacts: list[OrderContact]) -> list[Recipient]:
    return [Recipient(oc.contact.email, oc.contact.name, oc.contact.id,
                      {"summary_url": summary_url(oc.key, order.year, order.municipality_code)},
                      link_key=oc.contact.link_key) for oc in contacts]


def _entitled_recipients(year: int) -> list[tuple[str, list[Recipient]]]:
    """Return (municipality code, recipients) of every order of the year, read once, in queue order.

    Plain values: the sweep commits after each municipality, and loaded orders would then be read again one
    by one (order, contacts, each contact) on the next access, a quarter of the sweep's time.
    """
    return [(order.municipality_code, _recipients(order, entitled_contacts(order))) for order in _orders(year)]


def _sent_to(year: int) -> dict[str, set[str]]:
    """Return {municipality code: addresses its summary send has} for the year's summary sends."""
    reached = delivery.addresses_reached(domain=OWNER_DOMAIN, kind=SUMMARY, keys=year_keys(year))
    return {owner.parts[1]: emails for owner, emails in reached.items()}


def _orders(year: int) -> list[Order]:
    return list(db.session.scalars(
        select(Order).where(Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES))
        .options(selectinload(Order.contacts).selectinload(OrderContact.contact), selectinload(Order.municipality))
        .order_by(Order.received_at, Order.sequence)))


#: Summaries built before the release enqueued in one batch and one commit at the release (`release_summaries`).
KEPT_PER_COMMIT = 25


def release_summaries(year: int, *, actor: str = audit.SCHEDULER, commit_each: bool = False) -> int:
    """Enqueue each ordering municipality's own summary to its confirmed contacts who lack it; return how many
    messages were added. Only between the embargo release and the publication (the caller commits).

    Every summary's figures are re-derived from the stored results and compared with what it says first
    (`briefs.figures`); a summary that disagrees is not sent, and the audit log and the timeline show why.
    `commit_each` (the sweep): commit after each municipality whose summary was built now, so that a running send
    worker starts on the first summaries while the rest are built, and after every `KEPT_PER_COMMIT` of those
    built before the release (enqueueing them is quick; a commit each would cost more than the sending).
    """
    steps = moments(year)
    now = clock.now()
    if not steps.is_embargo_released(now) or steps.is_published(now):
        return 0
    sent = _sent_to(year)
    built = _Builder(year, steps.published_at)
    kept: list[tuple[str, EmailSpec, list[Recipient], object]] = []
    added = 0
    for municipality_code, recipients in _entitled_recipients(year):
        missing = [recipient for recipient in recipients
                   if recipient.email not in sent.get(municipality_code, set())]
        if not missing:
            continue
        made_before = built.made
        summary = built.summary(municipality_code)
        if summary is None:
            continue
        spec, rendered = summary
        added += len(missing)
        if built.made > made_before:
            # Built now: what was kept before goes first, then this one on its own, each committed at once.
            _enqueue_summaries(year, kept, actor, commit=commit_each)
            _enqueue_summaries(year, [(municipality_code, spec, missing, rendered)], actor, commit=commit_each)
            kept = []
            continue
        kept.append((municipality_code, spec, missing, rendered))
        if len(kept) >= KEPT_PER_COMMIT:
            _enqueue_summaries(year, kept, actor, commit=commit_each)
            kept = []
    _enqueue_summaries(year, kept, actor, commit=commit_each)
    return added


def _enqueue_summaries(year: int, summaries: list, actor: str, *, commit: bool) -> None:
    """Enqueue the summaries ((municipality code, spec, recipients, rendering) each) in one batch, with an entry in
    the embargo log for each; commit when asked."""
    if not summaries:
        return
    delivery.enqueue_many([(spec, missing, rendered) for _code, spec, missing, rendered in summaries])
    for municipality_code, _spec, missing, _rendered in summaries:
        audit.record(year, AuditAction.SUMMARIES_RELEASED, actor=actor, municipality_code=municipality_code,
                     detail=f"Till {', '.join(recipient.email for recipient in missing)}.")
    if commit:
        db.session.commit()


class _Builder:
    """Builds (or takes from those kept before the release) the year's summaries; what every summary of the year
    shares (the ranking, the earlier plans, the re-derived figures) is read once, when first needed."""

    def __init__(self, year: int, published_at: datetime) -> None:
        self.year, self.published_at = year, published_at
        self.ranking = self.figures = self.plans = self.versions = None
        self.made = 0  # summaries built here rather than taken from those kept

    def _shared(self) -> None:
        if self.ranking is not None:
            return
        from ..action_plans.followup import earlier_plans
        from ..briefs.figures import FigureMismatch, year_figures
        from ..briefs.talking_points import year_ranking

        self.ranking = year_ranking(self.year)
        self.plans = earlier_plans(self.year)  # every municipality's earlier action plan, in two queries
        self.versions = prepared.data_versions(self.year)
        try:
            self.figures = year_figures(self.year)  # re-derived once for all summaries of the year
        except FigureMismatch:
            self.figures = self.year

    def summary(self, code: str, *, keep: bool = False):
        """Return (spec, rendering) of the municipality's summary, or None when its figures disagree."""
        if self.plans is None:
            from ..action_plans.followup import earlier_plans

            self.plans, self.versions = earlier_plans(self.year), prepared.data_versions(self.year)
        wanted = prepared.basis(self.year, code, self.published_at, self.versions, self.plans)
        found = prepared.kept(self.year, code, wanted)
        if found is not None:
            return found.spec, found.rendered
        self._shared()
        spec = summary_spec(self.year, code, self.ranking, published_at=self.published_at, plans=self.plans)
        rendered = _checked_render(spec, self.figures, self.year, code)
        if rendered is None:
            return None
        self.made += 1
        if keep:
            try:
                check_buildable(spec, rendered=rendered)  # now, so the release need not build the example again
            except EmailBuildError:
                return spec, rendered  # not kept: the release builds it again and says why it cannot be sent
            prepared.keep(self.year, code, prepared.Prepared(wanted, spec, rendered))
        return spec, rendered


def prepare_summaries(year: int) -> int:
    """In the minutes before the embargo release, build and keep every ordering municipality's summary (nothing
    is enqueued); return how many were built now. The release then only enqueues them."""
    steps = moments(year)
    if not prepared.is_preparing_time(steps.embargo_release_at, clock.now()):
        if steps.is_published():
            prepared.forget(year)
        return 0
    built = _Builder(year, steps.published_at)
    for municipality_code, recipients in _entitled_recipients(year):
        if recipients:
            built.summary(municipality_code, keep=True)
    return built.made


def _checked_render(spec: EmailSpec, figures, year: int, municipality_code: str):
    """Render the summary and check its figures; return the rendering, or None (recorded) when they disagree."""
    from ..briefs.figures import FigureMismatch, check_figures
    from ..delivery.render import render_template_pair

    rendered = render_template_pair(spec.template, spec.context, subject=spec.subject, list_key=spec.list_key)
    try:
        check_figures(figures, municipality_code, (spec.subject, rendered.html.source, rendered.text.source))
    except FigureMismatch as error:
        if not audit.has_entry(year, AuditAction.SUMMARY_WITHHELD, municipality_code):  # the sweep asks again every few seconds; one entry says it
            audit.record(year, AuditAction.SUMMARY_WITHHELD, actor=audit.SCHEDULER,
                         municipality_code=municipality_code, detail=error.summary)
            logger.error("Embargoed summary for %s %s withheld: %s", municipality_code, year, error.summary)
        return None
    return rendered


def send_summary_if_released(order: Order) -> int:
    """Send the order's summary now if the embargo is released and the results not yet public (caller commits)."""
    return release_summaries(order.year, actor=audit.FORM)


def release_due_summaries() -> int:
    """Sweep: release the summaries of every year whose embargo release has passed and publication has not;
    in the minutes before a release, build and keep that year's summaries."""
    added = 0
    for year in known_years():
        prepare_summaries(year)
        added += release_summaries(year, commit_each=True)
    return added
