"""The embargo rule at delivery time: a send that carries a year's results waits until it may go out.

(Authored text before it is sent is checked in `content_check`.)

A send that carries a year's results (its owner's domain says which: `Domain.owner_results`) goes out only when the year is public — or, for an
embargoed summary, from the embargo release until the publication and only for a municipality that ordered
the report package. The rule reads the publication moment at the moment of asking, so a postponed publication
holds back sends queued for the old one. Nothing here trusts a flag set by a job.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..formatting import format_datetime
from ..clock import ClockNotTrusted
from ..release import Hold, ManySendGuard
from .models import LIVE_ORDER_STATUSES, Order
from .moments import EMBARGO_LEAD, publication_moment

@dataclass(frozen=True)
class YearState:
    published_at: datetime | None
    entitled: frozenset[str]


def _year_state(year: int) -> YearState:
    """Return the year's publication moment and ordering municipalities, read once per database transaction.

    The worker asks for every running send at every claim; within one transaction the answers cannot change
    anyway, and a new transaction (the next claim) reads them again.
    """
    session = db.session()
    # Begin the transaction now if none is open: asked first thing in a fresh transaction there would be none
    # yet to tell it from the last one (None both times), and an earlier transaction's answer would be kept.
    session.connection()
    transaction = session.get_transaction()
    memo = db.session.info.setdefault("publication_guard", {})
    if memo.get("transaction") is not transaction:
        memo.clear()
        memo["transaction"] = transaction
    state = memo.get(year)
    if state is None:
        entitled = frozenset(db.session.scalars(select(Order.municipality_code).where(
            Order.year == year, Order.status.in_(LIVE_ORDER_STATUSES))))
        state = memo[year] = YearState(publication_moment(year), entitled)
    return state


def hold_for_embargo_of(sends) -> list[Hold | None]:
    """Release guard (`Domain.release_guards`, a `ManySendGuard`): hold each send whose results may not go out yet
    (its owner says which). The worker asks about every running send at every claim: the clock and each year's
    state are read once for all of them."""
    from ..domain import registry

    owner_results = registry().owner_results
    holds: list[Hold | None] = []
    states: dict[int, YearState] = {}
    at = refusal = None
    for send in sends:
        results_of = owner_results.get(send.owner.domain)
        carried = results_of(send.owner) if results_of is not None else None
        if carried is None:
            holds.append(None)
            continue
        state = states.get(carried.year)
        if state is None:
            state = states[carried.year] = _year_state(carried.year)
        if at is None and refusal is None:
            try:
                at = clock.trusted_now()  # the database's time, or every send that carries results waits
            except ClockNotTrusted as not_trusted:
                refusal = Hold(str(not_trusted))
        holds.append(refusal or _hold(carried, state, at))
    return holds


#: The embargo rule asked about one send or about all running sends at once.
hold_for_embargo = ManySendGuard(hold_for_embargo_of)


def _hold(carried, state: YearState, at: datetime) -> Hold | None:
    year = carried.year
    published_at = state.published_at
    if published_at is None:
        return Hold(f"Resultaten för {year} har ingen publiceringstid ännu.")
    if carried.embargoed:
        if at >= published_at:
            return Hold(f"Resultaten för {year} är publicerade; brev med embargomärkning skickas inte efter "
                        "publiceringen.")
        release = published_at - EMBARGO_LEAD
        if at < release:
            return Hold(f"Under embargo: skickas tidigast {format_datetime(release)}.", until=release)
        if carried.municipality_code is None or carried.municipality_code not in state.entitled:
            return Hold("Kommunen har inte beställt rapportpaketet och får inte resultaten före publiceringen.")
        return None
    if at < published_at:
        return Hold(f"Resultaten för {year} publiceras {format_datetime(published_at)}; brevet väntar till dess.",
                    until=published_at)
    return None
