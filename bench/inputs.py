"""Benchmark: what hostile uploads cost in time and memory (issue 17: images and results files).

Run with `make bench` or `.venv/bin/python bench/inputs.py`. Each case runs in a fresh process of its own, so its
peak resident memory (ru_maxrss) says what that one upload cost: the figure printed is the growth of the peak
over the process's size just before the upload was handed over (the file itself already in memory). Pillow
decodes outside Python's allocator, so tracemalloc would not see it; the resident size does.

Cases:
- section images (`hti_comms.newsletters.images.prepare_image`): a 48 kB PNG declaring 20000 × 20000, an 86 kB
  PNG of 9400 × 9400, and the largest images still accepted (6000 × 4000, as PNG and as JPEG);
- results files (`hti_comms.results.importer.parse_results_file`): a 19 MB CSV (the 290 municipalities'
  rows again and again), and an ordinary 290-row file for comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HTI_ENV", "development")

IMAGE_CASES = {
    "png-20000x20000": (20000, 20000, "1"),
    "png-9400x9400": (9400, 9400, "L"),
    "png-6000x4000": (6000, 4000, "RGB"),
    "jpeg-6000x4000": (6000, 4000, "JPEG"),
}
CSV_CASES = {"csv-19mb": 19 * 1024 * 1024, "csv-290-rows": 0}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _image(width: int, height: int, mode: str) -> bytes:
    if mode != "JPEG":
        from tests.helpers import declared_png

        return declared_png(width, height, mode)
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 61, 107)).save(out, "JPEG", quality=85)
    return out.getvalue()


def _results_csv(size: int) -> bytes:
    from tests.helpers import results_rows, to_csv

    rows = results_rows()
    if not size:
        return to_csv(rows, delimiter=";")
    one_round = to_csv(rows, delimiter=";").split(b"\r\n", 1)[1]
    header = to_csv([], delimiter=";")
    return header + one_round * (size // len(one_round) + 1)


def run_case(name: str, database_url: str) -> dict:
    """Run one case in this process; return what it cost."""
    import gc

    if name in IMAGE_CASES:
        from hti_comms.newsletters.images import ImageError, prepare_image

        data = _image(*IMAGE_CASES[name])
        gc.collect()
        before, start = _peak_mb(), time.perf_counter()
        try:
            _data, _type, _name, width, height = prepare_image(data, "bild.png")
            outcome = f"accepted, stored as {width} × {height}"
        except ImageError as exc:
            outcome = f"refused: {exc}"
        except Exception as exc:  # noqa: BLE001 - what the web page would answer with a 500
            outcome = f"uncaught {type(exc).__name__} (a server error)"
    else:
        from hti_comms import create_app
        from hti_comms.geo.services import municipalities_by_code
        from hti_comms.results.importer import parse_results_file

        app = create_app({"DATABASE_URL": database_url})
        with app.app_context():
            municipalities = municipalities_by_code()
            data = _results_csv(CSV_CASES[name])
            gc.collect()
            before, start = _peak_mb(), time.perf_counter()
            parsed = parse_results_file(data, "resultat.csv", municipalities)
            outcome = (f"{len(parsed.rows)} rows, {len(parsed.problems)} problems"
                       + (f"; first: {parsed.problems[0]}" if parsed.problems else ""))
    seconds = time.perf_counter() - start
    return {"case": name, "bytes": len(data), "seconds": seconds, "peak_mb": _peak_mb() - before,
            "outcome": outcome}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.database_url)))
        return

    from flask_migrate import upgrade

    from hti_comms import create_app
    from hti_comms.geo.services import load_reference_data

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        app = create_app({"DATABASE_URL": url})
        with app.app_context():
            upgrade(x_arg="quiet=1")
            load_reference_data()
        print(f"{'case':<18} {'file':>9} {'seconds':>8} {'peak +MB':>9}  outcome")
        for name in [*IMAGE_CASES, *CSV_CASES]:
            done = subprocess.run([sys.executable, __file__, "--case", name, "--database-url", url], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            size = figures["bytes"]
            shown = f"{size / 1024:.0f} kB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
            print(f"{name:<18} {shown:>9} {figures['seconds']:>8.2f} {figures['peak_mb']:>9.0f}  "
                  f"{figures['outcome'][:110]}")


if __name__ == "__main__":
    main()
