"""The embargo rule at the two doors results leave by: a send at delivery time, authored text before it is sent.

A send that carries a year's results (`Send.results_year`) goes out only when the year is public — or, for an
embargoed summary, from the embargo release until the publication and only for a municipality that ordered
the report package. The rule reads the publication moment at the moment of asking, so a postponed publication
holds back sends queued for the old one. Nothing here trusts a flag set by a job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..checks import Finding, error
from ..extensions import db
from ..formatting import format_datetime, format_number
from ..release import Content, Hold
from ..results.models import ResultSet
from .models import Order, OrderStatus
from .moments import EMBARGO_LEAD, publication_moment

#: Kinds of send that may go out under embargo (publication − 24 h until publication), each to one municipality.
EMBARGOED_KINDS = frozenset({"embargo_summary", "local_brief_embargoed"})


@dataclass(frozen=True)
class YearState:
    published_at: datetime | None
    entitled: frozenset[str]


def _year_state(year: int) -> YearState:
    """Return the year's publication moment and ordering municipalities, read once per database transaction.

    The worker asks for every running send at every claim; within one transaction the answers cannot change
    anyway, and a new transaction (the next claim) reads them again.
    """
    transaction = db.session().get_transaction()
    memo = db.session.info.setdefault("publication_guard", {})
    if memo.get("transaction") is not transaction:
        memo.clear()
        memo["transaction"] = transaction
    state = memo.get(year)
    if state is None:
        entitled = frozenset(db.session.scalars(select(Order.municipality_code).where(
            Order.year == year, Order.status != OrderStatus.CANCELLED)))
        state = memo[year] = YearState(publication_moment(year), entitled)
    return state


def hold_for_embargo(send) -> Hold | None:
    """Release guard (`Domain.release_guards`): hold a send whose results may not go out yet."""
    year = getattr(send, "results_year", None)
    if year is None:
        return None
    state = _year_state(year)
    at = clock.trusted_now()  # the database's time; ClockNotTrusted holds the send (release.send_hold)
    published_at = state.published_at
    if published_at is None:
        return Hold(f"Resultaten för {year} har ingen publiceringstid ännu.")
    if send.kind in EMBARGOED_KINDS:
        if at >= published_at:
            return Hold(f"Resultaten för {year} är publicerade; brev med embargomärkning skickas inte efter "
                        "publiceringen.")
        release = published_at - EMBARGO_LEAD
        if at < release:
            return Hold(f"Under embargo: skickas tidigast {format_datetime(release)}.", until=release)
        if send.municipality_code is None or send.municipality_code not in state.entitled:
            return Hold("Kommunen har inte beställt rapportpaketet och får inte resultaten före publiceringen.")
        return None
    if at < published_at:
        return Hold(f"Resultaten för {year} publiceras {format_datetime(published_at)}; brevet väntar till dess.",
                    until=published_at)
    return None


def unpublished_years(at: datetime) -> list[int]:
    """Return the years with results that are not public at `at`."""
    years = []
    for result_set in db.session.scalars(select(ResultSet)):
        moment = publication_moment(result_set.year)
        if moment is None or at < moment:
            years.append(result_set.year)
    return years


def _mentions(text: str, words: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(words)}(?![\w])", text, flags=re.IGNORECASE) is not None


def _has_figure(text: str, figure: str) -> bool:
    # "55,5" must not match inside "155,52"; a figure is a whole number token.
    return re.search(rf"(?<![\d,]){re.escape(figure)}(?![\d]|,\d)", text) is not None


def check_unpublished_figures(content: Content) -> list[Finding]:
    """Content check (`Domain.content_checks`): refuse a municipality's figures of a year not yet public."""
    from ..results.ranking import compute_ranking
    from ..results.models import SUB_INDICES

    findings: list[Finding] = []
    text = content.text or ""
    for year in unpublished_years(clock.as_utc(content.send_at)):
        ranking = compute_ranking(year)
        if ranking is None:
            continue
        moment = publication_moment(year)
        when = format_datetime(moment) if moment else "när publiceringstiden är satt"
        for entry in ranking.entries:
            if not _mentions(text, entry.municipality_name):
                continue
            figures = [format_number(entry.index)] + [
                format_number(entry.values[attribute]) for attribute, _label in SUB_INDICES
                if entry.values.get(attribute) is not None]
            places = [f"plats {entry.rank}", f"plats nr {entry.rank}", f"{entry.rank}:e plats", f"{entry.rank}:a plats"]
            found = next((f for f in figures if _has_figure(text, f)), None) or next(
                (p for p in places if _mentions(text, p)), None)
            if found is not None:
                findings.append(error(
                    "Text", f"Texten innehåller {entry.municipality_name}s resultat för {year} (”{found}”), som inte "
                            f"är publicerat. Det får skickas tidigast {when}."))
    return findings
