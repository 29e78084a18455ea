"""Load and look up the reference data: counties, municipalities, districts."""
from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, or_, select, update

from ..config import PROJECT_ROOT
from ..extensions import db
from ..formatting import counted
from .models import County, District, Municipality

REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"


@dataclass
class LoadReport:
    counties_added: int = 0
    municipalities_added: int = 0
    districts_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.counties_added or self.municipalities_added or self.districts_added)


def default_district_name(county: County) -> str:
    """Return the name of the district made by default for a county."""
    return f"SPF Seniorerna {county.short_name}"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_reference_data(reference_dir: Path = REFERENCE_DIR) -> LoadReport:
    """Insert missing counties, municipalities and default districts; never overwrite staff edits."""
    report = LoadReport()
    counties = {c.code: c for c in db.session.scalars(select(County))}
    for row in _read_csv(reference_dir / "counties.csv"):
        county = counties.get(row["county_code"])
        if county is None:
            county = County(code=row["county_code"], name=row["county_name"], short_name=row["county_name_short"])
            db.session.add(county)
            counties[county.code] = county
            report.counties_added += 1

    districts = {d.county_code: d for d in db.session.scalars(select(District)) if d.county_code}
    for county in counties.values():
        if county.code not in districts:
            district = District(name=default_district_name(county), county_code=county.code)
            db.session.add(district)
            districts[county.code] = district
            report.districts_added += 1
    db.session.flush()

    existing = set(db.session.scalars(select(Municipality.code)))
    for row in _read_csv(reference_dir / "municipalities.csv"):
        if row["municipality_code"] in existing:
            continue
        db.session.add(
            Municipality(
                code=row["municipality_code"],
                name=row["municipality_name"],
                short_name=row["municipality_name_short"],
                county_code=row["county_code"],
                district_id=districts[row["county_code"]].id,
            )
        )
        report.municipalities_added += 1
    db.session.commit()
    return report


def normalise_name(name: str) -> str:
    """Fold a municipality name for comparison ('Malmö stad' ~ 'malmö'); keep å/ä/ö (Habo is not Håbo)."""
    folded = unicodedata.normalize("NFC", name.casefold())
    for suffix in (" kommun", " stad"):
        if folded.endswith(suffix):
            folded = folded[: -len(suffix)]
    return " ".join(folded.replace("-", " ").split())


def load_reference_data_report() -> str:
    """Load the reference data on `hti init-db`; return a line saying what was added."""
    report = load_reference_data()
    if report.changed:
        return (f"Referensdata: {report.counties_added} län, "
                f"{counted(report.municipalities_added, 'kommun', 'kommuner')}, "
                f"{report.districts_added} distrikt tillagda.")
    return "Referensdata finns redan (290 kommuner, 21 län)."


def county_short_names() -> dict[str, str]:
    """Return {county code: the county's name in running text} ("12": "Skåne")."""
    return {code: name for code, name in db.session.execute(select(County.code, County.short_name))}


def municipality_label(municipality: Municipality) -> str:
    """Return 'Lund (1281)': the name staff read, with the code where codes are used beside it."""
    return f"{municipality.short_name} ({municipality.code})"


def municipalities_by_code() -> dict[str, Municipality]:
    """Return every municipality keyed by its four-digit code."""
    return {m.code: m for m in db.session.scalars(select(Municipality))}


def parse_municipality_code(text: str) -> str | None:
    """Return the four-digit code written as '0114', '114' (a spreadsheet drops the zero) or ' 0114 ', or None."""
    text = (text or "").strip()
    if text.isascii() and text.isdigit() and len(text) in (3, 4):
        return text.zfill(4)
    return None


class MunicipalityIndex:
    """The 290 municipalities read once, to find many by code or name (a form, every line of a file)."""

    def __init__(self, municipalities=None):
        if municipalities is None:
            municipalities = db.session.scalars(select(Municipality))
        self.by_code: dict[str, Municipality] = {}
        names: dict[str, list[Municipality]] = {}
        for municipality in municipalities:
            self.by_code[municipality.code] = municipality
            for name in {normalise_name(municipality.short_name), normalise_name(municipality.name)}:
                names.setdefault(name, []).append(municipality)
        # A name two municipalities share would be a guess; such a name matches none.
        self.by_name = {name: found[0] for name, found in names.items() if len(found) == 1}

    def find(self, code_or_name: str) -> Municipality | None:
        """Return the municipality with this code (3 or 4 digits) or name, or None."""
        code = parse_municipality_code(code_or_name)
        if code is not None:
            return self.by_code.get(code)
        return self.by_name.get(normalise_name((code_or_name or "").strip()))

    @staticmethod
    def is_named(municipality: Municipality, name: str) -> bool:
        """Return whether `name` is what the municipality is called ('Malmö stad' and 'malmö' both are)."""
        return normalise_name(name) in (normalise_name(municipality.short_name), normalise_name(municipality.name))


def find_municipality(code_or_name: str) -> Municipality | None:
    """Return the municipality with this code (3 or 4 digits) or name, or None."""
    code = parse_municipality_code(code_or_name)
    if code is not None:
        return db.session.get(Municipality, code)
    return MunicipalityIndex().find(code_or_name)


class DistrictError(ValueError):
    """A Swedish message about why the district change cannot be made."""


def _check_district_name(name: str, current: District | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise DistrictError("Distriktet måste ha ett namn.")
    clash = db.session.scalar(select(District).where(District.name == name))
    if clash is not None and clash is not current:
        raise DistrictError(f"Det finns redan ett distrikt som heter ”{name}”.")
    return name


def create_district(name: str) -> District:
    """Create an SPF district that staff can move municipalities into."""
    district = District(name=_check_district_name(name))
    db.session.add(district)
    db.session.commit()
    return district


def rename_district(district: District, name: str) -> None:
    district.name = _check_district_name(name, district)
    db.session.commit()


def move_municipality(municipality: Municipality, district_id: int) -> District:
    """Put a municipality in another district and return that district."""
    district = db.session.get(District, district_id)
    if district is None:
        raise DistrictError("Distriktet finns inte.")
    municipality.district = district
    db.session.commit()
    return district


def reset_districts_to_default() -> None:
    """Put every municipality back in its county's default district and remove staff-made districts.

    A few statements that change only what differs (the tests call it after every test, most of which moved
    nothing)."""
    default = select(District.id).where(District.county_code == Municipality.county_code).scalar_subquery()
    db.session.execute(update(Municipality).where(or_(Municipality.district_id.is_(None),
                                                      Municipality.district_id != default))
                       .values(district_id=default).execution_options(synchronize_session=False))
    db.session.execute(delete(District).where(District.county_code.is_(None))
                       .execution_options(synchronize_session=False))
    for district_id, name, short_name in db.session.execute(
            select(District.id, District.name, County.short_name).join(County, District.county_code == County.code)):
        wanted = default_district_name(County(short_name=short_name))
        if name != wanted:
            db.session.execute(update(District).where(District.id == district_id).values(name=wanted)
                               .execution_options(synchronize_session=False))
    db.session.commit()
