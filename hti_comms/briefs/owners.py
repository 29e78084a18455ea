"""What the briefs domain's sends are about (their `Owner`s), how staff see them, and which results they carry.

A local brief's key is the year and the municipality code; a district digest's the year and the district's id.
"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from ..delivery.owner import Owner
from ..domain import SendReference
from ..extensions import db
from ..geo.models import District, Municipality
from ..release import CarriedResults

DOMAIN = "briefs"
BRIEF = "brief"
#: The brief sent before the publication to a municipality's entitled contacts (under embargo).
BRIEF_EMBARGOED = "brief-embargoed"
DIGEST = "district-digest"


def brief_owner(year: int, municipality_code: str, *, embargoed: bool = False) -> Owner:
    return Owner.of(DOMAIN, BRIEF_EMBARGOED if embargoed else BRIEF, year, municipality_code)


def digest_owner(year: int, district_id: int) -> Owner:
    return Owner.of(DOMAIN, DIGEST, year, district_id)


def brief_keys(year: int) -> list[str]:
    return [f"{year}:{code}" for code in db.session.scalars(select(Municipality.code))]


def digest_keys(year: int) -> list[str]:
    return [f"{year}:{district_id}" for district_id in db.session.scalars(select(District.id))]


def describe_owner(owner: Owner) -> SendReference | None:
    """Name a local brief ("Lokalt resultatbrev: Upplands Väsby 2025") or a district digest, with its page."""
    parts = owner.parts
    if len(parts) != 2 or not parts[0].isdigit():
        return None
    year = int(parts[0])
    if owner.kind in (BRIEF, BRIEF_EMBARGOED):
        municipality = db.session.get(Municipality, parts[1])
        if municipality is None:
            return None
        label = f"Lokalt resultatbrev: {municipality.short_name} {year}"
        if owner.kind == BRIEF_EMBARGOED:
            label += " (under embargo)"
        return SendReference(label, url_for("briefs_admin.municipality", year=year, code=municipality.code))
    if owner.kind == DIGEST and parts[1].isdigit():
        district = db.session.get(District, int(parts[1]))
        if district is None:
            return None
        return SendReference(f"Distriktsbrev: {district.name} {year}",
                             url_for("briefs_admin.district", year=year, district_id=district.id))
    return None


def owner_results(owner: Owner) -> CarriedResults | None:
    """A brief carries its municipality's results (under embargo to entitled contacts, or public); a district
    digest carries many municipalities' results, so it waits for the publication."""
    parts = owner.parts
    if len(parts) != 2 or not parts[0].isdigit():
        return None
    if owner.kind == DIGEST:
        return CarriedResults(int(parts[0]))
    if owner.kind in (BRIEF, BRIEF_EMBARGOED):
        return CarriedResults(int(parts[0]), parts[1], embargoed=owner.kind == BRIEF_EMBARGOED)
    return None
