"""What the alerts domain's sends are about: a confirmation (the subscriber's id) and a municipality's result at
the publication (the year and the municipality code)."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from ..delivery.owner import Owner
from ..domain import SendReference
from ..extensions import db
from ..geo.models import Municipality
from ..release import CarriedResults

DOMAIN = "alerts"
RESULT = "result"
CONFIRMATION = "confirmation"


def result_owner(year: int, code: str) -> Owner:
    return Owner.of(DOMAIN, RESULT, year, code)


def confirmation_owner(subscriber_id: int) -> Owner:
    return Owner.of(DOMAIN, CONFIRMATION, subscriber_id)


def result_keys(year: int) -> list[str]:
    return [f"{year}:{code}" for code in db.session.scalars(select(Municipality.code))]


def describe_owner(owner: Owner) -> SendReference | None:
    """Name an alert send: "Min kommun: Lund 2025"."""
    if owner.kind == CONFIRMATION:
        return SendReference("Min kommun: bekräftelse av e-postadressen", url_for("alerts_admin.index"))
    parts = owner.parts
    if owner.kind != RESULT or len(parts) != 2 or not parts[0].isdigit():
        return None
    municipality = db.session.get(Municipality, parts[1])
    if municipality is None:
        return None
    return SendReference(f"Min kommun: {municipality.short_name} {parts[0]}", url_for("alerts_admin.index"))


def owner_results(owner: Owner) -> CarriedResults | None:
    """A result alert carries its municipality's public results: it waits for the publication."""
    if owner.kind != RESULT:
        return None
    year, code = owner.parts
    return CarriedResults(int(year), code)
