"""The deployment files in deploy/: the systemd units pass `systemd-analyze verify`, the Varnish configuration
compiles with `varnishd -C`, and the environment file names every setting of the README's configuration table."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import PROJECT_ROOT
from tests.production import require

DEPLOY = PROJECT_ROOT / "deploy"
#: Where the units expect the checkout and its virtual environment on a server.
INSTALLED_AT = "/opt/hti-comms"
UNITS = ("hti-web.service", "hti-worker@.service", "hti-scheduler.service", "hti-bounce-inbox.service",
         "hti-comms.target")


def installed_here(directory: Path) -> list[Path]:
    """Write the units into `directory` as if installed from this checkout (its path and its Python's venv)."""
    written = []
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace(f"{INSTALLED_AT}/.venv/bin", str(Path(sys.executable).parent))
        text = text.replace(INSTALLED_AT, str(PROJECT_ROOT))
        (directory / name).write_text(text)
        written.append(directory / name)
    return written


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is missing; `make test` installs it (make proxy)")
    units = installed_here(tmp_path)
    result = subprocess.run([analyze, "verify", *map(str, units)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and not result.stderr.strip(), result.stdout + result.stderr


def test_verify_catches_a_unit_that_cannot_start(tmp_path):
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is missing; `make test` installs it (make proxy)")
    broken = tmp_path / "hti-web.service"
    broken.write_text((DEPLOY / "systemd" / "hti-web.service").read_text())  # /opt/hti-comms is not here
    result = subprocess.run([analyze, "verify", str(broken)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "gunicorn" in result.stderr


def test_every_unit_runs_a_command_the_readme_names():
    commands = {name: re.search(r"^ExecStart=(.*)$", (DEPLOY / "systemd" / name).read_text(), re.M)
                for name in UNITS if name.endswith(".service")}
    assert "hti send-worker" in commands["hti-worker@.service"].group(1)
    assert "hti scheduler" in commands["hti-scheduler.service"].group(1)
    assert "hti bounce-inbox" in commands["hti-bounce-inbox.service"].group(1)
    assert "gunicorn" in commands["hti-web.service"].group(1) and "127.0.0.1:8000" in commands["hti-web.service"].group(1)


def test_the_varnish_configuration_compiles():
    varnishd = shutil.which("varnishd") or "/usr/sbin/varnishd"
    require(Path(varnishd).exists(), "varnishd is missing; `make test` installs Debian's varnish (make proxy)")
    result = subprocess.run([varnishd, "-C", "-f", str(DEPLOY / "varnish" / "hti.vcl")], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]


def configuration_table_settings() -> set[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    table = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return {name for line in table.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])}


def test_the_environment_file_names_every_setting_of_the_configuration_table():
    example = (DEPLOY / "hti.env.example").read_text()
    settings = configuration_table_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "BACKUP_DIR", "BACKUP_KEEP", "METRICS_TOKEN"} <= settings
    missing = sorted(name for name in settings if not re.search(rf"^#?{name}=", example, re.M))
    assert not missing, f"deploy/hti.env.example lacks {missing}"


@pytest.mark.parametrize("name", [name for name in UNITS if name.endswith(".service")])
def test_every_service_reads_the_environment_file(name):
    assert "EnvironmentFile=/etc/hti-comms/hti.env" in (DEPLOY / "systemd" / name).read_text()
