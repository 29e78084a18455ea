"""A results file between its upload and its import: checked at once, shown for review, saved only when asked.

The contact import has a preview; the results import now has one too. The uploaded bytes are kept in the database
(`ResultUpload`) so that what staff look at is what is saved, by any web worker; nothing of the year changes before
"Spara resultaten". A decided upload is deleted, and one left undecided goes after a day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import delete

from .. import clock
from ..extensions import db
from ..geo.services import municipalities_by_code
from .importer import ParsedFile, Problem, parse_results_file
from .models import ResultSet, ResultUpload
from .services import ImportOutcome, check_year, existing_count, import_results

#: An upload nobody decided on is deleted after this long.
KEPT = timedelta(days=1)
#: Rows shown from the top and the bottom of the file's own ranking.
SHOWN = 5


@dataclass
class Preview:
    upload: ResultUpload
    parsed: ParsedFile
    existing: int
    is_published: bool
    best: list[tuple[str, Decimal]] = field(default_factory=list)
    worst: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.parsed.rows)


def stage(data: bytes, filename: str, year: int, *, replace: bool, uploaded_by: str | None
          ) -> tuple[ResultUpload | None, list[Problem]]:
    """Check the file; keep it for the preview when it has no problem (commit). Return (upload, problems)."""
    parsed = parse_results_file(data, filename, municipalities_by_code())
    problems = list(parsed.problems)
    year_problem = check_year(year)
    if year_problem:
        problems.insert(0, year_problem)
    if problems or not parsed.rows:
        return None, problems or [Problem(None, None, "Filen har inga rader med resultat.")]
    db.session.execute(delete(ResultUpload).where(ResultUpload.uploaded_at < clock.now() - KEPT))
    upload = ResultUpload(year=year, filename=filename[:255], data=data, replace=replace, uploaded_by=uploaded_by,
                          uploaded_at=clock.now())
    db.session.add(upload)
    db.session.commit()
    return upload, []


def preview(upload: ResultUpload) -> Preview:
    """Return what importing the upload would do: the rows, notes, what it replaces, its best and worst."""
    from .publication import is_released

    names = {code: m.short_name for code, m in municipalities_by_code().items()}
    parsed = parse_results_file(upload.data, upload.filename, municipalities_by_code())
    ranked = sorted(((names[row.municipality_code], row.values["index_value"]) for row in parsed.rows),
                    key=lambda item: (-item[1], item[0]))
    result_set = db.session.get(ResultSet, upload.year)
    return Preview(upload, parsed, existing_count(upload.year),
                   is_published=result_set is not None and is_released(result_set.published_at),
                   best=ranked[:SHOWN], worst=ranked[-SHOWN:] if len(ranked) > SHOWN else [])


def save(upload: ResultUpload, *, replace: bool, imported_by: str | None) -> ImportOutcome:
    """Import the upload as it was previewed (all rows or none); delete it once saved (commit)."""
    outcome = import_results(upload.data, upload.filename, upload.year, replace=replace, imported_by=imported_by)
    if outcome.ok:
        discard(upload)
    return outcome


def discard(upload: ResultUpload) -> None:
    db.session.delete(upload)
    db.session.commit()
