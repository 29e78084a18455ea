"""The one rule for a role and its place, used by every form and by the contact import.

Which roles need a municipality, a district or an association's name, and how a place written as text (a
form field, a cell in a file) becomes a municipality or a district. Problems are Swedish phrases in lower case
("kommun saknas för rollen …"): an import lists them after the line number, a form shows the first as a
sentence (`as_sentence`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..geo.models import County, District
from ..geo.services import MunicipalityIndex, normalise_name
from .models import CouncilName, Role


@dataclass(frozen=True)
class Place:
    """A role with its place, as chosen in a form or read from a file, before it is checked."""

    role: Role
    council_name: CouncilName | None = None
    #: A municipality's code or name as written.
    municipality: str = ""
    association_name: str = ""
    #: A district chosen from a list (staff forms) …
    district_id: int | None = None
    #: … or written by name (a file); a county's name means that county's default district.
    district: str = ""


@dataclass(frozen=True)
class AffiliationValues:
    """A checked place: the values of one Affiliation row."""

    role: Role
    council_name: CouncilName | None
    municipality_code: str | None
    district_id: int | None
    association_name: str

    @property
    def key(self) -> tuple:
        """Return what makes two affiliations the same one (the association's name in any case)."""
        return (self.role, self.municipality_code, self.district_id, self.association_name.casefold())


class PlaceDirectory:
    """Municipalities and districts read once (a few hundred rows), for checking one place or a whole file."""

    def __init__(self) -> None:
        self.municipalities = MunicipalityIndex()
        districts = list(db.session.scalars(select(District)))
        self.district_ids = {d.id for d in districts}
        self.districts_by_name: dict[str, int] = {normalise_name(d.name): d.id for d in districts}
        default_district = {d.county_code: d.id for d in districts if d.county_code}
        for county in db.session.scalars(select(County)):
            if county.code in default_district:
                self.districts_by_name.setdefault(normalise_name(county.name), default_district[county.code])
                self.districts_by_name.setdefault(normalise_name(county.short_name), default_district[county.code])
        # Files repeat the same few values in thousands of rows; each distinct value is looked up once.
        self._found: dict[str, object] = {}

    def municipality(self, text: str):
        """Return the municipality with this code or name, or None."""
        if text not in self._found:
            self._found[text] = self.municipalities.find(text)
        return self._found[text]


def unknown_municipality(text: str) -> str:
    """Return the problem with a municipality that does not exist."""
    return f"kommunen ”{text}” finns inte bland Sveriges 290 kommuner"


#: Which part of a place a problem is about: the municipality (or the district found through it) or the association.
MUNICIPALITY, ASSOCIATION = "municipality", "association"


def check_place(place: Place, directory: PlaceDirectory, role_name: str | None = None
                ) -> tuple[AffiliationValues | None, list[str]]:
    """Return the affiliation the place describes and [] — or None and every problem with it.

    `role_name` is how the role was written (a file's "pensionärsråd"), for messages; default its label.
    """
    values, problems = check_place_parts(place, directory, role_name)
    return values, [problem for _part, problem in problems]


def check_place_parts(place: Place, directory: PlaceDirectory, role_name: str | None = None
                      ) -> tuple[AffiliationValues | None, list[tuple[str, str]]]:
    """Like check_place, with each problem paired with the part it is about (MUNICIPALITY or ASSOCIATION),
    so that a form shows every problem at once beside its own field."""
    role = place.role
    role_name = role_name or role.label
    problems: list[tuple[str, str]] = []
    municipality_text = place.municipality.strip()
    municipality = directory.municipality(municipality_text) if municipality_text else None
    if municipality_text and municipality is None:
        problems.append((MUNICIPALITY, unknown_municipality(municipality_text)))
    association = " ".join(place.association_name.split())

    district_id = None
    if role.needs_district:
        district_text = place.district.strip()
        if place.district_id is not None:
            district_id = place.district_id if place.district_id in directory.district_ids else None
            if district_id is None:
                problems.append((MUNICIPALITY, "distriktet finns inte"))
        elif district_text:
            district_id = directory.districts_by_name.get(normalise_name(district_text))
            if district_id is None:
                problems.append((MUNICIPALITY, f"distriktet ”{district_text}” finns inte"))
        elif municipality is not None:
            district_id = municipality.district_id
        if district_id is None and not problems:
            problems.append((MUNICIPALITY, "ange distrikt eller kommun för uppdraget i distriktet"))
    if role.needs_municipality and not municipality_text:
        problems.append((MUNICIPALITY, f"kommun saknas för rollen ”{role_name}”"))
    if role.needs_association and not association:
        problems.append((ASSOCIATION, "föreningens namn saknas"))
    if problems:
        return None, problems
    return AffiliationValues(
        role=role,
        council_name=(place.council_name or CouncilName.PENSIONARSRAD) if role is Role.COUNCIL_MEMBER else None,
        municipality_code=municipality.code if municipality is not None and role.keeps_municipality else None,
        district_id=district_id,
        association_name=association if role.needs_association else ""), []


def as_sentence(problem: str) -> str:
    """Return a problem phrase as a sentence for a form ("Föreningens namn saknas.")."""
    return problem[:1].upper() + problem[1:] + ("" if problem.endswith(".") else ".")
