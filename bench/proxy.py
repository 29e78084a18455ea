"""Benchmark: the ranking and a municipality page through Varnish (deploy/varnish/hti.vcl) in front of gunicorn,
against gunicorn alone and against a Flask hello-world, in the same run.

Run with `.venv/bin/python bench/proxy.py [--database-url postgresql://…] [--requests N] [--connections C]`.
It prepares the demo results as bench/web.py does, serves a hello-world and the product the same way (gunicorn,
2 sync workers, HTI_ENV=production), starts Debian's varnishd with the repo's VCL (only the backend port changed)
in front of the product, and loads each URL with the same generator (wrk when installed, otherwise the Python
one), taking turns round after round as bench/web.py does (each URL's best round counts). It prints requests/s and latencies for every URL and each one's ratio to the hello-world, then one verdict
line per figure against issue 25's targets (bench/web.py's: the municipality page ≥ 0.6 of the hello-world, the
ranking ≥ 0.85, p99 < 100 ms; the targets are for gunicorn alone, the lines through Varnish show what the proxy adds).
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web import (HELLO_APP, PROJECT_ROOT, WRK_SCRIPT, free_port, load_with_python,  # noqa: E402
                 load_with_wrk, measure, prepare_database, print_results, serve, stop)

VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"
VCL = PROJECT_ROOT / "deploy" / "varnish" / "hti.vcl"


def start_varnish(directory: Path, backend_port: int) -> tuple[subprocess.Popen, int]:
    """Start varnishd in the foreground with the repo's VCL pointed at `backend_port`; wait until it answers."""
    vcl = directory / "hti.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    port = free_port()
    jail = ["-j", "none"] if os.geteuid() == 0 else []
    process = subprocess.Popen([VARNISHD, "-F", "-n", str(directory / "varnish"), "-a", f"127.0.0.1:{port}",
                                "-f", str(vcl), "-s", "malloc,256m", "-T", "none", *jail],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/resultat", timeout=2).read()
            return process, port
        except Exception:
            if process.poll() is not None:
                raise RuntimeError(f"varnishd stopped (exit {process.returncode})") from None
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("varnishd did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of an empty database (default: a new SQLite file)")
    parser.add_argument("--requests", type=int, default=1_000_000, help="most requests per URL (default 1000000)")
    parser.add_argument("--seconds", type=int, default=8, help="seconds per URL and round with wrk (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every URL; each URL's best counts (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args()
    if not Path(VARNISHD).exists():
        sys.exit("varnishd is missing: install Debian's varnish (make proxy)")
    generator = args.generator if args.generator != "auto" else ("wrk" if shutil.which("wrk") else "python")

    with tempfile.TemporaryDirectory(prefix="hti-bench-proxy-") as tmp:
        tmp_path = Path(tmp)
        database_url = args.database_url or f"sqlite:///{tmp_path / 'bench.db'}"
        paths = prepare_database(database_url)
        (tmp_path / "hello.py").write_text(HELLO_APP)
        script = tmp_path / "bench.lua"
        script.write_text(WRK_SCRIPT)
        env = {**os.environ, "HTI_ENV": "production", "SECRET_KEY": secrets.token_hex(32), "RATELIMIT_ENABLED": "false",
               "DATABASE_URL": database_url, "BASE_URL": "http://127.0.0.1", "PYTHONPATH": str(PROJECT_ROOT),
               "TRUSTED_PROXIES": "1"}
        env.pop("HTI_FAKE_NOW", None)

        def load(url: str) -> dict:
            if generator == "wrk":
                return load_with_wrk(url, args.requests, args.connections, script, args.seconds)
            return load_with_python(url, min(args.requests, 20_000), args.connections)

        print(f"Load generator: {generator}, {args.connections} connections, {args.rounds} rounds; gunicorn with 2 "
              f"sync workers; varnishd {VARNISHD}; database {database_url.split(':', 1)[0]}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        hello_port, port = free_port(), free_port()
        hello = serve("hello:app", tmp_path, {**env, "PYTHONPATH": str(tmp_path)}, hello_port)
        try:
            product = serve("app:app", PROJECT_ROOT, env, port)
            try:
                varnish, proxy_port = start_varnish(tmp_path, port)
                try:
                    urls = {"hello-world": f"http://127.0.0.1:{hello_port}/"}
                    for name, path in paths.items():
                        for where, base in (("gunicorn alone", f"http://127.0.0.1:{port}"),
                                            ("through Varnish", f"http://127.0.0.1:{proxy_port}")):
                            url = base + path
                            with urllib.request.urlopen(url) as response:  # the first request computes and renders
                                assert response.status == 200, (url, response.status)
                            urls[f"{name} {where}"] = url
                    results = measure(urls, load, args.rounds)
                finally:
                    stop(varnish)
            finally:
                stop(product)
        finally:
            stop(hello)

    print_results(results)
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
