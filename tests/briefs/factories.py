"""Results with known answers for the briefs tests."""
from __future__ import annotations

from hti_comms.results.services import import_results
from tests.helpers import reference_codes, to_csv


def store_year(year: int, values: dict[str, object]) -> None:
    """Import a year: code -> index (sub-indices equal the index) or code -> [index, info, bist, utf, stod].

    A sub-index given as "" is stored as missing.
    """
    names = dict(reference_codes())
    rows = []
    for code, given in values.items():
        figures = list(given) if isinstance(given, (list, tuple)) else [given] * 5
        rows.append([code, names[code], *[str(v) for v in figures]])
    outcome = import_results(to_csv(rows), f"{year}.csv", year, replace=True)
    assert outcome.ok, outcome.all_problems
