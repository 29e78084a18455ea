"""Start-up: `make run` loads data once; `import app` stays light; `hti` commands print only their own lines."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from hti_comms import create_app
from hti_comms.auth.services import authenticate
from hti_comms.bounces.models import BounceReport
from hti_comms.extensions import db
from hti_comms.geo.models import Municipality
from hti_comms.letters.models import Letter
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
                "letters": db.session.scalar(select(func.count()).select_from(Letter)),
                "bounce reports": db.session.scalar(select(func.count()).select_from(BounceReport)),
            }
        finally:
            db.session.remove()
            db.engine.dispose()


#: What `make run` loads into an empty database: the reference data, and some of the domains' demo data.
EXPECTED_COUNTS = {"municipalities": 290, "years": 3, "results": 870, "letters": 3, "bounce reports": 3}


def test_make_run_loads_reference_and_demo_data_once(project_root, empty_database_url):
    first = run_until_serving(project_root, empty_database_url)
    login = re.search(r"E-post:\s+(\S+)\s+Lösenord:\s+(\S+)", first)
    assert login, first
    assert "DEMODATA" in first
    assert counts(empty_database_url) == EXPECTED_COUNTS

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": empty_database_url})
    with app.app_context():
        assert authenticate(login.group(1), login.group(2)) is not None
        db.session.remove()
        db.engine.dispose()

    second = run_until_serving(project_root, empty_database_url)
    assert "Lösenord:" not in second
    assert "ingen demodata läggs till" in second
    assert counts(empty_database_url) == EXPECTED_COUNTS


HEAVY_LIBRARIES = ("matplotlib", "weasyprint", "fontTools", "openpyxl", "premailer", "aiosmtpd", "apscheduler",
                   "confusable_homoglyphs",
                   # Loaded on first use: migrations (`flask db`, `hti init-db`), calendars, lookalike links,
                   # /metrics, Markdown, address validation beyond the plain case, image uploads.
                   "alembic", "flask_migrate", "icalendar", "rapidfuzz", "prometheus_client", "markdown_it",
                   "linkify_it", "email_validator", "PIL",
                   # Dates and numbers in words (first formatted); Flask-WTF's translations, which need Flask-Babel.
                   "babel", "pytz",
                   # Loaded with a PostgreSQL database only (the process below uses SQLite).
                   "sqlalchemy.dialects.postgresql",
                   # The brief's figure checker, chart and PDF; reading returned mail and the sink (email.policy).
                   "hti_comms.briefs.figures", "hti_comms.briefs.charts", "hti_comms.briefs.pdf",
                   "hti_comms.bounces.parsing", "hti_comms.delivery.sink", "email.policy",
                   # Reading an event's attendance report and its follow-up; running a contact import.
                   "hti_comms.events.attendance", "hti_comms.events.followup", "hti_comms.subscribers.imports.run",
                   # The year plan and copying a year; the action plans' coverage.
                   "hti_comms.yearplan.plan", "hti_comms.yearplan.copy", "hti_comms.action_plans.coverage")


#: Modules of the domains (hti_comms.<domain>.<module>) that `hti`, the scheduler or a page loads when it needs them.
LOADED_WHEN_USED = ("cli", "cli_after", "sweeps", "content_check", "text_figures", "guard", "overview")


def test_importing_the_app_leaves_heavy_libraries_and_the_dummy_hash_for_later(project_root, tmp_path):
    """Every process imports `app`; charts, PDFs, spreadsheets, CSS inlining, migrations, URL builders and the rest
    load when used."""
    script = ("import json, sys; import app; from hti_comms.auth import services; "
              f"print(json.dumps({{'loaded': sorted(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules), "
              "'dummy_hashes': services._dummy_hash_with.cache_info().currsize, "
              # The domains' commands, sweeps, content checks, guards and overview parts load when first used.
              f"'domain_modules': sorted(m for m in sys.modules if m.rpartition('.')[2] in {LOADED_WHEN_USED!r} "
              "and m.count('.') > 1), "
              # The routes' URL builders are compiled when a URL of the route is first built (hti_comms.routing).
              "'compiled_url_builders': [r.rule for r in app.app.url_map.iter_rules() "
              "if 'build_on_first_use' not in (r._build.__name__, r._build_unknown.__name__)]}))")
    env = {**os.environ, "HTI_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'hti.db'}"}
    result = subprocess.run([sys.executable, "-c", script], cwd=project_root, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    # (scheduling.sweeps is where sweeps are declared and timed, not a domain's sweeps: the staff pages read it.)
    assert json.loads(result.stdout) == {"loaded": [], "dummy_hashes": 0,
                                         "domain_modules": ["hti_comms.scheduling.sweeps"],
                                         "compiled_url_builders": ["/static/<path:filename>"]}
    assert result.stderr == ""


def test_hti_commands_print_no_library_chatter(project_root, tmp_path):
    """`hti init-db --demo` and `hti brief-pdf` (WeasyPrint, fontTools, Alembic) print only their own lines.

    SQLite only: what is tested is the output of the command, which does not depend on the database.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "HTI_FAKE_NOW")}
    env.update({"HTI_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'hti.db'}"})

    def hti(*args: str) -> list[str]:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "hti", *args], cwd=project_root,
                                env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return (result.stdout + result.stderr).splitlines()

    init = hti("init-db", "--demo")
    assert init[0].startswith("Databasen är skapad (schemaversion ")
    assert any(line.startswith("DEMODATA: syntetiska resultat") for line in init)
    year = re.search(r"för \d+, \d+, (\d+) är inlagda", "\n".join(init)).group(1)
    target = tmp_path / "brev.pdf"
    pdf = hti("brief-pdf", "0114", "--year", year, "--output", str(target))
    assert pdf == [f"Utskriften för Upplands Väsby {year} är sparad i {target}."]
    assert target.read_bytes().startswith(b"%PDF")
    chatter = [line for line in init + pdf if re.search(r"\b(INFO|DEBUG)\b", line)]
    assert chatter == []
    # Setting up the demo login (its second factor included) queues no email: the key is on the terminal. (The
    # demo sends of the letters and bounces domains go to invented members only.)
    import sqlite3

    with sqlite3.connect(tmp_path / "hti.db") as connection:
        assert connection.execute("select distinct kind from send").fetchall() == [("local_brief",)]
        queued = connection.execute("select email from outbox_message").fetchall()
        assert queued and all(email.endswith("@example.se") for (email,) in queued)


def test_flask_db_commands_still_migrate_with_alembic_loaded_only_when_run(project_root, empty_database_url):
    """`flask db …` is Flask-Migrate's own group, handed over when run (the app lists it without Alembic)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "HTI_FAKE_NOW")}
    env.update({"HTI_ENV": "development", "DATABASE_URL": empty_database_url})

    def flask(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=project_root, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    assert re.search(r"^  db\s+Perform database migrations\.$", flask("--help"), re.MULTILINE)
    usage = flask("db", "--help")
    assert "--x-arg" in usage and re.search(r"^  upgrade\s", usage, re.MULTILINE)
    head = flask("db", "heads").split()[0]
    assert flask("db", "current").strip() == ""
    flask("db", "upgrade")
    assert flask("db", "current").split()[:2] == [head, "(head)"]


def test_the_models_annotations_are_evaluated_when_their_classes_are_made(app):
    """SQLAlchemy reads each column's type from its `Mapped[...]` annotation; given as text (`from __future__ import
    annotations`), every one of about 550 was evaluated from its text again by every process at start-up."""
    import importlib
    import inspect

    from hti_comms.extensions import db

    modules = {mapper.class_.__module__ for mapper in db.Model.registry.mappers}
    assert len(modules) > 15
    as_text = [name for name in sorted(modules)
               if "from __future__ import annotations" in inspect.getsource(importlib.import_module(name))]
    assert as_text == []
