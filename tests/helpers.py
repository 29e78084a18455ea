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


def declared_png(width: int, height: int, mode: str = "L") -> bytes:
    """Return a valid one-colour PNG of `width` × `height`, built without ever holding the pixels.

    A single colour compresses about a thousandfold, so a file of a few tens of kB can declare hundreds of
    millions of pixels (what a hostile upload looks like); `mode` is "1" (one bit), "L" (grey) or "RGB".
    """
    import struct
    import zlib

    depth, colour_type, row_bytes = {"1": (1, 0, (width + 7) // 8), "L": (8, 0, width),
                                     "RGB": (8, 2, 3 * width)}[mode]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + row_bytes)  # filter byte "none", then the pixels
    rows_per_batch = max(1, (8 << 20) // len(row))
    parts = []
    for first in range(0, height, rows_per_batch):
        parts.append(compressor.compress(row * min(rows_per_batch, height - first)))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(parts))
            + chunk(b"IEND", b""))
