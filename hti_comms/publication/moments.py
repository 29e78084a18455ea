"""The moments of a publication year: ordering closes, embargo release (publication − 24 h), publication.

The publication moment has one home, the year's `results.models.PublicationMoment` (the public pages read it with
the year's results on every request, as `ResultSet.published_at`); it is set before or after the results are
imported, so nothing copies it. Everything else is derived from it, so postponing the publication moves every step.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from .. import clock
from ..extensions import db
from ..formatting import babel_format_date, format_datetime
from ..results.models import PublicationMoment, ResultSet, set_moment
from ..scheduling.localtime import is_repeated, is_skipped, read_wall_clock, stockholm_to_utc
from . import audit
from .models import AuditAction, Publication

#: The embargoed summary goes out this long before the publication.
EMBARGO_LEAD = timedelta(hours=24)
#: The publication's time of day when staff give only a date.
DEFAULT_PUBLICATION_TIME = time(7, 0)


class PublicationError(ValueError):
    """A Swedish message about a publication moment that cannot be set."""


@dataclass(frozen=True)
class Moments:
    """The derived steps of one year (UTC); None where the publication moment is not set yet."""

    year: int
    published_at: datetime | None
    #: As staff set it; None means ordering closes at the publication.
    explicit_orders_close_at: datetime | None = None

    @property
    def embargo_release_at(self) -> datetime | None:
        return self.published_at - EMBARGO_LEAD if self.published_at else None

    @property
    def orders_close_at(self) -> datetime | None:
        return self.explicit_orders_close_at or self.published_at

    def is_published(self, at: datetime | None = None) -> bool:
        from ..results.publication import is_released  # the one rule, also asked by the public pages

        return is_released(self.published_at, at)

    def is_embargo_released(self, at: datetime | None = None) -> bool:
        release = self.embargo_release_at
        return release is not None and (at or clock.trusted_now()) >= release

    def is_ordering_open(self, at: datetime | None = None) -> bool:
        close = self.orders_close_at
        return close is None or (at or clock.now()) < close


def publication_moment(year: int) -> datetime | None:
    """Return when `year` becomes public (UTC), or None when nobody has set it."""
    moment = db.session.get(PublicationMoment, year)
    return clock.as_utc(moment.published_at) if moment is not None else None


def moments(year: int) -> Moments:
    publication = db.session.get(Publication, year)
    close = publication.orders_close_at if publication is not None else None
    return Moments(year, publication_moment(year), clock.as_utc(close) if close else None)


def embargo_label(published_at: datetime) -> str:
    """Return 'EMBARGO: får inte publiceras före torsdag 4 december kl. 07.00' (Stockholm time)."""
    local = clock.to_stockholm(published_at)
    day = babel_format_date(local.date(), "EEEE d MMMM", locale="sv_SE")
    return f"EMBARGO: får inte publiceras före {day} kl. {local:%H.%M}"


def parse_wall_clock(text: str, field: str = "Tidpunkt") -> datetime:
    """Return the UTC instant of 'YYYY-MM-DD HH:MM' (or a date alone: 07.00) in Stockholm time."""
    try:
        local = read_wall_clock(text, default_time=DEFAULT_PUBLICATION_TIME)
    except ValueError:
        raise PublicationError(f"{field}: ”{text.strip()}” är inget riktigt datum eller klockslag.") from None
    if local is None:
        raise PublicationError(f"{field}: skriv datum och tid som 2025-12-04 07:00 (år-månad-dag timme:minut).")
    return wall_clock_moment(local.date(), local.time(), field)


def wall_clock_moment(local_date: date, local_time: time | None, field: str = "Tidpunkt") -> datetime:
    """Return the UTC instant of a Stockholm date and time of day (07.00 when no time is given).

    A publication moment is never a time the clock skips or repeats (the daylight-saving changes): a moment
    everyone reads differently is refused.
    """
    local = datetime.combine(local_date, local_time or DEFAULT_PUBLICATION_TIME)
    if is_skipped(local) or is_repeated(local):
        raise PublicationError(f"{field}: klockan {local:%H.%M} den dagen finns inte eller finns två gånger "
                               "(sommartiden börjar eller slutar). Välj en annan tid.")
    return stockholm_to_utc(local)


def _publication_row(year: int) -> Publication:
    publication = db.session.get(Publication, year)
    if publication is None:
        publication = Publication(year=year, updated_at=clock.now())
        db.session.add(publication)
    return publication


def set_publication(year: int, published_at: datetime, *, actor: str, notify_registered: bool = False) -> Moments:
    """Set (or postpone) the publication moment of `year`; every derived step moves with it. The caller commits.

    Sends already queued that carry the year's results are not touched: the release guard asks for the moment at
    send time, so a send that became premature waits for the new moment. The year's publication event in the
    calendar takes the new time in the same transaction (its one home is this moment). `notify_registered`: staff
    chose, when the moment moved, to tell the registered (the ordering municipalities' contacts and anyone
    registered for the publication event) with a change notice.
    """
    if not 2000 <= year <= 2100:
        raise PublicationError(f"År: {year} är inget rimligt indexår.")
    before = moments(year)
    now = clock.now()
    if before.published_at is not None and before.is_published(now) and published_at != before.published_at:
        raise PublicationError(f"Resultaten för {year} publicerades {format_datetime(before.published_at)}. "
                               "En publicering som redan har skett kan inte flyttas.")
    publication = _publication_row(year)
    if before.published_at is not None and publication.orders_close_at is not None:
        # Ordering closes at a moment tied to the publication: it moves by as much.
        publication.orders_close_at = clock.as_utc(publication.orders_close_at) + (published_at - before.published_at)
    publication.updated_at = now
    set_moment(year, published_at)
    if before.published_at is None:
        audit.record(year, AuditAction.PUBLICATION_SET, actor=actor,
                     detail=f"Publicering {format_datetime(published_at)}.")
    elif published_at != before.published_at:
        audit.record(year, AuditAction.PUBLICATION_POSTPONED, actor=actor,
                     detail=f"Från {format_datetime(before.published_at)} till {format_datetime(published_at)}.")
    db.session.flush()
    if published_at != before.published_at:
        from ..events.publication_link import follow_publication

        follow_publication(year, published_at, notify=notify_registered)
        if notify_registered and before.published_at is not None:
            from .moved import notify_contacts

            notify_contacts(year, before.published_at, published_at)
    return moments(year)


def set_orders_close(year: int, close_at: datetime | None, *, actor: str) -> Moments:
    """Set when ordering closes for `year` (None: at the publication). The caller commits."""
    current = moments(year)
    if close_at is not None and current.published_at is not None and close_at > current.published_at:
        raise PublicationError("Sista beställningstid: den kan inte ligga efter publiceringen "
                               f"({format_datetime(current.published_at)}).")
    publication = _publication_row(year)
    publication.orders_close_at = close_at
    publication.updated_at = clock.now()
    audit.record(year, AuditAction.ORDERS_CLOSE_SET, actor=actor,
                 detail=f"Beställningen stänger {format_datetime(close_at)}." if close_at
                 else "Beställningen stänger vid publiceringen.")
    db.session.flush()
    return moments(year)


def known_years() -> list[int]:
    """Return every year with results, a publication moment or a publication row, newest first."""
    years = set(db.session.scalars(db.select(ResultSet.year))) | set(db.session.scalars(db.select(Publication.year))) \
        | set(db.session.scalars(db.select(PublicationMoment.year)))
    return sorted(years, reverse=True)


def next_publication(at: datetime | None = None) -> Moments | None:
    """Return the moments of the next year to be published after `at` (default: now), or None when none is set.

    The date is public (the start page and /resultat say it); nothing of the year's results is.
    """
    at = at or clock.now()
    upcoming = [steps for steps in (moments(year) for year in known_years())
                if steps.published_at is not None and steps.published_at > at]
    return min(upcoming, key=lambda steps: steps.published_at, default=None)
