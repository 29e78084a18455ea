"""Small helpers shared by tests: result files with known values, CSRF tokens from rendered forms."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from hti_comms.results.models import SUB_INDICES

HEADER = ["kommunkod", "kommun", "index", *[name for name, _label in SUB_INDICES]]


def reference_codes() -> list[tuple[str, str]]:
    """Return (code, short name) of the 290 municipalities from the shipped reference file."""
    from hti_comms.geo.services import REFERENCE_DIR

    with (REFERENCE_DIR / "municipalities.csv").open(encoding="utf-8") as handle:
        return [(r["municipality_code"], r["municipality_name_short"]) for r in csv.DictReader(handle)]


def known_values(position: int, offset: Decimal = Decimal(0)) -> list[Decimal]:
    """Return index and sub-indices for the n-th municipality: distinct, predictable values."""
    index = Decimal("90.0") - Decimal(position) * Decimal("0.2") + offset
    return [index, index + 1, index - 1, index + Decimal("0.5"), index - Decimal("0.5")]


def results_rows(count: int = 290, offset: Decimal = Decimal(0)) -> list[list[str]]:
    rows = []
    for position, (code, name) in enumerate(reference_codes()[:count]):
        rows.append([code, name, *[str(v) for v in known_values(position, offset)]])
    return rows


def to_csv(rows: list[list[str]], *, delimiter: str = ",", decimal_comma: bool = False, bom: bool = False,
           header: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header or HEADER)
    for row in rows:
        writer.writerow([cell.replace(".", ",") if decimal_comma and i >= 2 else cell for i, cell in enumerate(row)])
    data = buffer.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def form_csrf_token(client, url: str) -> str:
    """Return the CSRF token from the form rendered at `url` (as a browser would submit it)."""
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)
