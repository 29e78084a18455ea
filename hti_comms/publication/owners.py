"""What the publication domain's sends are about (their `Owner`s), how staff see them, and which results they carry.

Keys: an order receipt is the order's id and which receipt ("received", "placed"); a summary and an access email
are the year and the municipality; a notice that the publication moved is the year and the new moment.
"""
from __future__ import annotations

from flask import url_for

from ..delivery.owner import Owner
from ..domain import SendReference
from ..extensions import db
from ..geo.models import Municipality
from ..release import CarriedResults

DOMAIN = "publication"
SUMMARY = "embargo-summary"
ACCESS = "report-access"
ORDER = "report-order"
MOVED = "publication-moved"


def summary_owner(year: int, municipality_code: str) -> Owner:
    return Owner.of(DOMAIN, SUMMARY, year, municipality_code)


def access_owner(year: int, municipality_code: str) -> Owner:
    return Owner.of(DOMAIN, ACCESS, year, municipality_code)


def order_owner(order_id: int, which: str) -> Owner:
    return Owner.of(DOMAIN, ORDER, order_id, which)


def moved_owner(year: int, timestamp: int) -> Owner:
    return Owner.of(DOMAIN, MOVED, year, timestamp)


def year_keys(year: int) -> list[str]:
    """Return the keys of a year's per-municipality owners (every municipality), for an exact `IN` lookup."""
    from ..geo.models import Municipality as M
    from sqlalchemy import select

    return [f"{year}:{code}" for code in db.session.scalars(select(M.code))]


def describe_owner(owner: Owner) -> SendReference | None:
    """Name what an order receipt, a summary, an access or a moved-publication send is about (`Domain`)."""
    parts = owner.parts
    if owner.kind == ORDER:
        from .models import Order

        order = db.session.get(Order, int(parts[0])) if parts and parts[0].isdigit() else None
        if order is None:
            return None
        return SendReference(f"Beställning av rapportpaket: {order.municipality.short_name} {order.year}",
                             url_for("publication_admin.year", year=order.year))
    if len(parts) != 2 or not parts[0].isdigit():
        return None
    year = int(parts[0])
    if owner.kind == MOVED:
        return SendReference(f"Besked: publiceringen {year} är flyttad", url_for("publication_admin.year", year=year))
    municipality = db.session.get(Municipality, parts[1])
    label = "Sammanfattning under embargo" if owner.kind == SUMMARY else "Tillgångsbrev"
    name = municipality.short_name if municipality is not None else parts[1]
    return SendReference(f"{label}: {name} {year}", url_for("publication_admin.year", year=year))


def owner_results(owner: Owner) -> CarriedResults | None:
    """A summary carries its municipality's results under embargo; an access email the public results."""
    if owner.kind not in (SUMMARY, ACCESS):
        return None
    year, code = owner.parts
    return CarriedResults(int(year), code, embargoed=owner.kind == SUMMARY)
