"""Embargoed summaries built before the release, so that at the release moment only sending is left.

In the minutes before a year's embargo release the scheduler's sweep builds every ordering municipality's summary
(talking points, rendering, figure check) and keeps it in the scheduler process, with what it was built from:
the publication moment, the stored results of the year and the year before, and the municipality's earlier
action plan. At the release the sweep enqueues a kept summary only when all of these are still the same;
anything else (a re-import, a postponement, a changed plan, a restarted scheduler) builds it again as before.
Nothing is enqueued before the release, and the release guards still ask at every claim.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..results.models import ResultSet

#: How long before the embargo release the summaries are built and kept.
PREPARE_LEAD = timedelta(minutes=15)


@dataclass(frozen=True)
class Prepared:
    """A municipality's summary as built and checked, and what it was built from."""

    basis: tuple
    spec: object
    rendered: object


def _kept() -> dict[tuple[int, str], Prepared]:
    return current_app.extensions.setdefault("hti_prepared_summaries", {})


def data_versions(year: int) -> tuple:
    """Return the stored results' versions of the year and the year before (the summary's change needs both)."""
    return tuple(db.session.execute(select(ResultSet.year, ResultSet.data_version)
                                    .where(ResultSet.year.in_((year, year - 1))).order_by(ResultSet.year)))


def basis(year: int, code: str, published_at: datetime, versions: tuple, plans: dict) -> tuple:
    """Return what a municipality's summary is built from; a kept summary is used only while it is unchanged."""
    return (year, code, clock.as_utc(published_at).isoformat(), versions, repr(plans.get(code)))


def is_preparing_time(release_at: datetime | None, now: datetime) -> bool:
    return release_at is not None and release_at - PREPARE_LEAD <= now < release_at


def keep(year: int, code: str, prepared: Prepared) -> None:
    _kept()[(year, code)] = prepared


def kept(year: int, code: str, wanted_basis: tuple) -> Prepared | None:
    """Return the kept summary of the municipality if it was built from exactly `wanted_basis`, else None."""
    prepared = _kept().get((year, code))
    return prepared if prepared is not None and prepared.basis == wanted_basis else None


def forget(year: int) -> None:
    """Drop the year's kept summaries (after the publication nothing of them is sent)."""
    for key in [key for key in _kept() if key[0] == year]:
        del _kept()[key]
