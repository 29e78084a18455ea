"""Operations on index results; each one is a single transaction."""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import delete, func, insert, select

from ..clock import STOCKHOLM, now
from ..extensions import db
from ..formatting import round_half_up
from ..geo.services import municipalities_by_code
from .cache import forget
from .importer import ParsedFile, ParsedRow, Problem, parse_results_file
from .models import MEASURES, SUB_INDICES, IndexResult, ResultSet, set_moment

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass
class ImportOutcome:
    year: int
    parsed: ParsedFile
    #: True when the year existed and `replace` was not given: nothing was written.
    needs_confirmation: bool = False
    imported: int = 0
    replaced: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.imported > 0

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + self.parsed.problems


def check_year(year: int) -> Problem | None:
    """Return a problem if the year is not plausible for Hemtjänstindex."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return Problem(None, None, f"Året {year} är inte rimligt; ange ett år mellan {MIN_YEAR} och {MAX_YEAR}.")
    return None


def existing_count(year: int) -> int:
    """Return how many municipalities already have results for the year."""
    return db.session.scalar(select(func.count()).select_from(IndexResult).where(IndexResult.year == year)) or 0


def import_results(data: bytes, filename: str, year: int, *, replace: bool = False,
                   imported_by: str | None = None) -> ImportOutcome:
    """Check a results file and, if every row is valid, store it as the results of `year` — all or nothing."""
    parsed = parse_results_file(data, filename, municipalities_by_code())
    outcome = ImportOutcome(year=year, parsed=parsed)
    year_problem = check_year(year)
    if year_problem:
        outcome.problems.append(year_problem)
    if outcome.all_problems or not parsed.rows:
        return outcome

    previous = existing_count(year)
    if db.session.get(ResultSet, year) is not None and not replace:
        outcome.needs_confirmation = True
        outcome.replaced = previous
        return outcome

    try:
        _store_year(year, parsed, source=filename, imported_by=imported_by, is_demo=False)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    forget(year)  # this process at once; the others see the new data version on their next request
    outcome.imported = len(parsed.rows)
    outcome.replaced = previous
    return outcome


def _store_year(year: int, parsed: ParsedFile, *, source: str, imported_by: str | None, is_demo: bool,
                published_at: datetime | None = None) -> None:
    """Replace the year's results inside the caller's transaction."""
    existing = db.session.get(ResultSet, year)
    if existing is not None:
        db.session.execute(delete(IndexResult).where(IndexResult.year == year))
        db.session.delete(existing)
        db.session.flush()
    db.session.add(ResultSet(year=year, is_demo=is_demo, imported_at=now(), source=source[:255],
                             imported_by=imported_by))
    if published_at is not None:  # the year's moment is its own row: a replaced year keeps it
        set_moment(year, published_at)
    db.session.flush()
    db.session.execute(
        insert(IndexResult),
        [{"year": year, "municipality_code": row.municipality_code, **row.values} for row in parsed.rows],
    )


def publication_time(year: int) -> datetime:
    """Return 07:00 Stockholm time on the first Tuesday of December of `year`, in UTC (the demo's publication)."""
    first = date(year, 12, 1)
    tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    return datetime.combine(tuesday, time(7, 0), tzinfo=STOCKHOLM).astimezone(timezone.utc)


def demo_years() -> list[int]:
    """Return the three years of demo results: the three before the current year."""
    current = now().astimezone(STOCKHOLM).year
    return [current - 3, current - 2, current - 1]


def generate_demo_results(years: list[int], codes: list[str], seed: int = 2022) -> dict[int, ParsedFile]:
    """Return synthetic but plausible results: a stable level per municipality that drifts year to year."""
    rng = random.Random(seed)
    level = {code: rng.gauss(60, 7) for code in codes}
    profile = {code: [rng.gauss(0, 5) for _ in SUB_INDICES] for code in codes}
    files = {}
    for year in years:
        parsed = ParsedFile()
        for code in codes:
            level[code] += rng.gauss(0.6, 2.2)
            subs = [min(99.0, max(15.0, level[code] + bias + rng.gauss(0, 3))) for bias in profile[code]]
            rounded = [round_half_up(value, 1) for value in subs]
            index = round_half_up(sum(rounded, Decimal(0)) / len(rounded), 1)
            values = {"index_value": index} | {name: value for (name, _label), value in zip(SUB_INDICES, rounded)}
            parsed.rows.append(ParsedRow(line=0, municipality_code=code, values=values))
        files[year] = parsed
    return files


def load_demo_results() -> list[int]:
    """Store demo results for three years (marked as demo data) and return the years."""
    years = demo_years()
    codes = sorted(municipalities_by_code())
    for year, parsed in generate_demo_results(years, codes).items():
        _store_year(year, parsed, source="Demodata (syntetiska värden)", imported_by=None, is_demo=True,
                    published_at=publication_time(year))
    db.session.commit()
    return years


def load_demo_data() -> str | None:
    """Fill an empty results table with demo results on `hti init-db --demo`; return a line saying so."""
    if has_any_results():
        return None
    years = load_demo_results()
    return f"DEMODATA: syntetiska resultat för {', '.join(map(str, years))} är inlagda."


def latest_demo_year() -> int | None:
    """Return the newest year whose stored results are demo data (what the other domains' demo data is about)."""
    return db.session.scalar(select(ResultSet.year).where(ResultSet.is_demo.is_(True))
                             .order_by(ResultSet.year.desc()).limit(1))


def has_any_results() -> bool:
    return db.session.scalar(select(func.count()).select_from(ResultSet)) > 0


def stored_values(year: int, codes: Iterable[str]) -> dict[str, dict[str, Decimal | None]]:
    """Return {code: {measure: stored value}} of the given municipalities' results of `year` (one query; a
    municipality without a result that year is left out)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    columns = [IndexResult.municipality_code, *(getattr(IndexResult, name) for name, _label in MEASURES)]
    rows = db.session.execute(select(*columns).where(IndexResult.year == year,
                                                     IndexResult.municipality_code.in_(wanted)))
    return {row[0]: dict(zip((name for name, _label in MEASURES), row[1:])) for row in rows}
