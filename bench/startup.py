"""Benchmark: how long `import app` takes, as a ratio to importing flask + flask_sqlalchemy + sqlalchemy alone.

Run with `make bench` or `.venv/bin/python bench/startup.py [--runs N]`. Every process of the product (the web
workers, the scheduler, the send worker, every `hti` command) starts by importing `app`, so what it imports at
start-up is paid again and again. Each measurement is a fresh Python process that times only the import
statement (not the interpreter's own start); the two kinds of process alternate so that a busy machine slows
both alike, and the medians are compared (target: ratio ≤ 2.5).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.5

BASELINE = "import flask, flask_sqlalchemy, sqlalchemy"
APP = "import app"


def time_import(statement: str) -> float:
    """Return the seconds a fresh interpreter spends on `statement`."""
    code = f"import time; start = time.perf_counter(); {statement}; print(time.perf_counter() - start)"
    env = {**os.environ, "HTI_ENV": os.environ.get("HTI_ENV", "development")}
    # The warm-up run writes the bytecode, as any installed program has it; a shell that forbids writing it would
    # have every run compile the sources again and measure the compiler.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh processes of each kind (default 9)")
    runs = parser.parse_args().runs

    time_import(APP)  # warm the file system cache and the bytecode once, outside the figures
    baseline, app = [], []
    for _ in range(runs):
        baseline.append(time_import(BASELINE))
        app.append(time_import(APP))
    baseline_median, app_median = statistics.median(baseline), statistics.median(app)
    ratio = app_median / baseline_median
    print(f"flask + flask_sqlalchemy + sqlalchemy: {baseline_median * 1000:.0f} ms "
          f"(median of {runs}; {min(baseline) * 1000:.0f}–{max(baseline) * 1000:.0f} ms)")
    print(f"import app: {app_median * 1000:.0f} ms (median of {runs}; {min(app) * 1000:.0f}–{max(app) * 1000:.0f} ms)")
    print(f"Ratio: {ratio:.2f} ({'within' if ratio <= TARGET_RATIO else 'OVER'} the {TARGET_RATIO} target)")


if __name__ == "__main__":
    main()
