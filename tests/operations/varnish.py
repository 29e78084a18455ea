"""Debian's varnishd in front of gunicorn for the tests, with the project's own VCL (deploy/varnish/hti.vcl).

Everything runs on free ports of 127.0.0.1: varnishd in the foreground (-F) with its working folder in the test's
temporary folder (-n); the VCL is the repo's, with only the backend's port changed to the test's gunicorn.
"""
from __future__ import annotations

import os
import secrets
import shutil
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import PROJECT_ROOT, wait_until
from tests.production import START_TIMEOUT, Process, free_port, gunicorn_command, listening_or_gone, require

VARNISHD = Path(shutil.which("varnishd") or "/usr/sbin/varnishd")
VCL = PROJECT_ROOT / "deploy" / "varnish" / "hti.vcl"
#: The backend port written in the VCL (gunicorn's in deploy/systemd/hti-web.service).
VCL_BACKEND_PORT = '.port = "8000";'


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict

    @property
    def from_cache(self) -> bool:
        return self.headers.get("X-Cache") == "HIT"


def get(url: str) -> Answer:
    """GET `url` without cookies, as a visitor's first request; return the answer."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.read().decode("utf-8", "replace"), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode("utf-8", "replace"), dict(error.headers))


def tell_proxies() -> bool:
    """Run the sweep that tells the proxies of a change (`public.tell_proxies`) as the scheduler does: in a thread
    and app context of its own, hence its own session and transaction (the test's may hold a flush not committed).
    Return whether it ran without error."""
    from flask import current_app

    from hti_comms.scheduling.sweeps import run_sweep

    app = current_app._get_current_object()
    outcome = []

    def run():
        with app.app_context():
            outcome.append(run_sweep("public.tell_proxies"))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome == [True]


def start_gunicorn(directory: Path, database_url: str, workers: int = 2) -> tuple[Process, int]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HTI_", "SMTP_", "MAIL_"))}
    env.update(HTI_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=database_url,
               BASE_URL="http://127.0.0.1", RATELIMIT_ENABLED="false", TRUSTED_PROXIES="1", PYTHONUNBUFFERED="1")
    web = Process(gunicorn_command(port, workers), directory / "gunicorn.log", env)
    state = wait_until(lambda: listening_or_gone(web, port), timeout=START_TIMEOUT, interval=0.25, message="gunicorn")
    assert state == "listening", web.output
    return web, port


def start_varnish(directory: Path, backend_port: int) -> tuple[Process, int]:
    require(VARNISHD.exists(), f"{VARNISHD} is missing; `make test` installs Debian's varnish (make proxy)")
    vcl = directory / "hti.vcl"
    text = VCL.read_text()
    assert VCL_BACKEND_PORT in text, f"the VCL's backend is no longer {VCL_BACKEND_PORT}"
    vcl.write_text(text.replace(VCL_BACKEND_PORT, f'.port = "{backend_port}";'))
    port = free_port()
    jail = ["-j", "none"] if os.geteuid() == 0 else []
    varnish = Process([str(VARNISHD), "-F", "-n", str(directory / "varnish"), "-a", f"127.0.0.1:{port}",
                       "-f", str(vcl), "-s", "malloc,64m", "-T", "none", *jail],
                      directory / "varnish.log", dict(os.environ))
    state = wait_until(lambda: listening_or_gone(varnish, port), timeout=START_TIMEOUT, interval=0.25, message="varnishd")
    assert state == "listening", varnish.output
    return varnish, port


@contextmanager
def varnish_in_front_of_gunicorn(directory: Path, database_url: str, workers: int = 2):
    """Yield (proxy base URL, gunicorn base URL): Varnish with the repo's VCL in front of gunicorn."""
    web, web_port = start_gunicorn(directory, database_url, workers)
    try:
        varnish, port = start_varnish(directory, web_port)
        try:
            yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{web_port}"
        finally:
            varnish.stop()
    finally:
        web.stop()
