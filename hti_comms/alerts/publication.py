"""The alerts at the publication moment: one short email per followed municipality, never a second before.

The sweep `alerts.at_publication` reads every year's publication moment each time it runs (a postponement moves
the alerts with it) and, once a moment has passed, goes through the municipalities with followers confirmed
before it: the talking points are built from one ranking, the email rendered once, every figure in it checked
against the stored results (`briefs.figures.check_figures`), and the send enqueued to all its followers with bulk
inserts and committed, so a running send worker starts on the first municipality while the rest are built. A
municipality whose figures disagree gets nothing; the round records why for staff. A send's reference names the
year and the municipality, so a second run adds only those who lack it; the round's `done_at` ends it. The sends
carry their year's results, so the delivery worker holds them until the moment as well (`publication.guard`).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .. import clock
from ..delivery import api as delivery
from .owners import DOMAIN as OWNER_DOMAIN, RESULT, result_keys
from ..delivery.api import Recipient, enqueue
from ..extensions import db
from ..formatting import counted
from ..geo.models import Municipality
from ..publication.moments import known_years, publication_moment
from ..results.publication import is_released
from ..steps import DONE, FAILED, RUNNING, WAITING, Step
from .emails import result_spec
from .models import AlertMunicipality, AlertRound, AlertStatus, AlertSubscriber

log = logging.getLogger(__name__)


def followers(published_at: datetime) -> dict[str, list[Recipient]]:
    """Return {municipality code: recipients} of every municipality followed and confirmed before the moment."""
    rows = db.session.execute(
        select(AlertMunicipality.municipality_code, AlertSubscriber.email, AlertSubscriber.link_key)
        .join(AlertSubscriber, AlertSubscriber.id == AlertMunicipality.subscriber_id)
        .where(AlertSubscriber.status == AlertStatus.CONFIRMED, AlertMunicipality.confirmed_at.is_not(None),
               AlertMunicipality.confirmed_at <= published_at)
        .order_by(AlertMunicipality.municipality_code, AlertSubscriber.id))
    found: dict[str, list[Recipient]] = defaultdict(list)
    for code, email, link_key in rows:
        found[code].append(Recipient(email, "", link_key=link_key))
    return found


#: After a scheduler outage the alerts still go, up to this long after the moment; a publication older than that
#: (a year published before this feature, or before anyone followed anything) is never sent as "news".
CATCH_UP = timedelta(days=3)


def send_due() -> int:
    """Sweep: the alerts of every year whose publication moment has passed and whose round is not done."""
    added = 0
    rounds = {round_.year: round_ for round_ in db.session.scalars(select(AlertRound))}
    for year in known_years():
        moment = publication_moment(year)
        round_ = rounds.get(year)
        if (round_ is not None and round_.done_at is not None) or not is_released(moment):
            continue
        if round_ is None and clock.now() > moment + CATCH_UP:
            late = _new_round(year)
            late.done_at = clock.now()  # too late to be news: nothing is sent for this year
            db.session.commit()
            continue
        added += send_alerts(year, commit_each=True)
    return added


def send_alerts(year: int, *, commit_each: bool = False) -> int:
    """Enqueue every municipality's alert of `year` to its followers who lack it; return messages added.

    Only once the year is public. `commit_each` (the sweep): commit after each municipality.
    """
    from ..briefs.figures import FigureMismatch, check_figures, year_figures
    from ..briefs.talking_points import build_talking_points
    from ..delivery.render import render_template_pair
    from ..results.ranking import compute_ranking

    moment = publication_moment(year)
    if not is_released(moment):
        return 0
    round_ = db.session.get(AlertRound, year) or _new_round(year)
    if round_.done_at is not None:
        return 0
    wanted = followers(moment)
    ranking = compute_ranking(year) if wanted else None
    if ranking is None:
        round_.done_at = clock.now()  # nobody follows anything (or no results): nothing to send this year
        db.session.commit()
        return 0
    figures = year_figures(year)
    already = _sent_to(year)
    municipalities = {m.code: m for m in db.session.scalars(select(Municipality).where(
        Municipality.code.in_(list(wanted))))}
    added = 0
    for code, people in wanted.items():
        missing = [p for p in people if p.email not in already.get(code, set())]
        if not missing or ranking.entry(code) is None:
            continue
        points = build_talking_points(municipalities[code], year, ranking)
        spec = result_spec(points)
        rendered = render_template_pair(spec.template, spec.context, subject=spec.subject, list_key=spec.list_key)
        try:
            check_figures(figures, code, (spec.subject, rendered.html.source, rendered.text.source))
        except FigureMismatch as error:
            _hold(round_, municipalities[code], error.summary)
            db.session.commit()
            continue
        enqueue(spec, missing, rendered=rendered)
        added += len(missing)
        round_.sent += len(missing)
        if commit_each:
            db.session.commit()
    round_.done_at = clock.now()
    db.session.commit()
    return added


def _new_round(year: int) -> AlertRound:
    round_ = AlertRound(year=year, started_at=clock.now(), sent=0, held=[])
    db.session.add(round_)
    db.session.flush()
    return round_


def _sent_to(year: int) -> dict[str, set[str]]:
    """Return {municipality code: addresses} of the year's alert sends (a second run adds only the missing ones)."""
    reached = delivery.addresses_reached(domain=OWNER_DOMAIN, kind=RESULT, keys=result_keys(year))
    return {owner.parts[1]: emails for owner, emails in reached.items()}


def _hold(round_: AlertRound, municipality: Municipality, reason: str) -> None:
    if any(item["code"] == municipality.code for item in round_.held or []):
        return
    round_.held = [*(round_.held or []), {"code": municipality.code, "name": municipality.short_name,
                                          "reason": reason}]
    log.error("Alerts for %s %s withheld: %s", municipality.code, round_.year, reason)


def held_sentences(year: int) -> list[str]:
    round_ = db.session.get(AlertRound, year)
    return [f"{item['name']}: ingen fick resultatet med e-post. {item['reason']}" for item in (round_.held if round_
                                                                                                else [])]


def counts(year: int) -> dict[str, int]:
    """Return the year's alert messages waiting, sent and failed."""
    grouped = delivery.progress(delivery.counts(domain=OWNER_DOMAIN, kind=RESULT, keys=result_keys(year)))
    return {label: grouped[label] for label in ("väntar", "skickade", "misslyckade")}


def year_steps(year: int) -> list[Step]:
    """The step "Min kommun kl. 07.00" of `year`: followers now, then the messages and what was held."""
    moment = publication_moment(year)
    round_ = db.session.get(AlertRound, year)
    followers_now = db.session.scalar(select(func.count(func.distinct(AlertMunicipality.subscriber_id))).where(
        AlertMunicipality.confirmed_at.is_not(None))) or 0
    page = ("alerts_admin.index", {})
    if not is_released(moment):
        return [Step("Min kommun: resultatet med e-post till dem som bett om det", moment, WAITING,
                     {"prenumeranter": followers_now}, page=page, kind="send")]
    numbers = counts(year)
    held = held_sentences(year)
    if held:
        numbers["kommuner stoppade: siffrorna stämmer inte"] = len(held)
    if round_ is None or round_.done_at is None:
        state = RUNNING
    elif held or numbers["misslyckade"]:
        state = FAILED
    else:
        state = RUNNING if numbers["väntar"] else DONE
    return [Step("Min kommun: resultatet med e-post till dem som bett om det", moment, state, numbers,
                 problems=held, page=page, kind="send",
                 note=counted(followers_now, "prenumerant", "prenumeranter") + " just nu.")]
