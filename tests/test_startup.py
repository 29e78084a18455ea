"""The `make run` start-up path: an empty database gets reference and demo data once, not twice."""
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from hti_comms import create_app
from hti_comms.auth.services import authenticate
from hti_comms.extensions import db
from hti_comms.geo.models import Municipality
from hti_comms.results.models import IndexResult, ResultSet

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_until_serving(project_root, database_url: str, timeout: float = 120) -> str:
    """Run `make run` until the login page answers, stop it, and return everything it printed."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "HTI_FAKE_NOW")}
    env.update({"DATABASE_URL": database_url, "HTI_ENV": "development"})
    command = ["make", "--no-print-directory", "run", f"PORT={port}", f"SINK_PORT={free_port()}"]
    process = subprocess.Popen(command, cwd=project_root, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            assert process.poll() is None, "make run stopped early:\n" + "".join(lines)
            assert time.monotonic() < deadline, "make run never served the login page:\n" + "".join(lines)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/logga-in", timeout=2) as response:
                    if response.status == 200 and "Logga in" in response.read().decode():
                        break
            except OSError:
                time.sleep(0.3)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(timeout=5)
        process.stdout.close()
    return "".join(lines)


def counts(database_url: str) -> dict[str, int]:
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": database_url})
    with app.app_context():
        try:
            return {
                "municipalities": db.session.scalar(select(func.count()).select_from(Municipality)),
                "years": db.session.scalar(select(func.count()).select_from(ResultSet).where(ResultSet.is_demo)),
                "results": db.session.scalar(select(func.count()).select_from(IndexResult)),
            }
        finally:
            db.session.remove()
            db.engine.dispose()


def test_make_run_loads_reference_and_demo_data_once(project_root, empty_database_url):
    first = run_until_serving(project_root, empty_database_url)
    login = re.search(r"E-post:\s+(\S+)\s+Lösenord:\s+(\S+)", first)
    assert login, first
    assert "DEMODATA" in first
    assert counts(empty_database_url) == {"municipalities": 290, "years": 3, "results": 870}

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": empty_database_url})
    with app.app_context():
        assert authenticate(login.group(1), login.group(2)) is not None
        db.session.remove()
        db.engine.dispose()

    second = run_until_serving(project_root, empty_database_url)
    assert "Lösenord:" not in second
    assert "ingen demodata läggs till" in second
    assert counts(empty_database_url) == {"municipalities": 290, "years": 3, "results": 870}
