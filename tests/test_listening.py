"""With TRUSTED_PROXIES set, gunicorn warns at start when it listens where others can reach it."""
import socket
import sys

import pytest

from hti_comms.listening import bind_warnings
from tests.processes import wait_until
from tests.production import Process

INET, INET6, UNIX = socket.AF_INET, socket.AF_INET6, socket.AF_UNIX


@pytest.mark.parametrize("family, address, reachable", [
    (INET, ("0.0.0.0", 8000), True),
    (INET, ("192.0.2.10", 8000), True),
    (INET6, ("::", 8000, 0, 0), True),
    (INET, ("127.0.0.1", 8000), False),
    (INET, ("127.0.1.1", 8000), False),
    (INET6, ("::1", 8000, 0, 0), False),
    (INET6, ("::ffff:127.0.0.1", 8000, 0, 0), False),
    (UNIX, "/run/hti/gunicorn.sock", False),
])
def test_only_addresses_others_can_reach_are_warned_about(family, address, reachable):
    warnings = bind_warnings([(family, address)], trusted_proxies=1)
    assert len(warnings) == (1 if reachable else 0)
    assert bind_warnings([(family, address)], trusted_proxies=0) == []  # nobody's header is believed


def test_the_warning_names_the_address_and_what_to_do():
    [warning] = bind_warnings([(INET6, ("::", 8000, 0, 0)), (INET, ("127.0.0.1", 8001))], trusted_proxies=1)
    assert "TRUSTED_PROXIES=1" in warning and "[::]:8000" in warning
    assert "Bind to 127.0.0.1 behind the proxy (gunicorn -b 127.0.0.1:8000)" in warning


def start_gunicorn(tmp_path, bind: str, trusted_proxies: str) -> Process:
    """Start gunicorn in the project root, as production does, so that it reads gunicorn.conf.py."""
    env = {"PATH": "/usr/bin:/bin", "HTI_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path}/web.db",
           "TRUSTED_PROXIES": trusted_proxies, "PYTHONUNBUFFERED": "1"}
    return Process([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", bind, "app:app"],
                   tmp_path / f"gunicorn-{trusted_proxies}.log", env)


@pytest.mark.slow
def test_gunicorn_on_every_address_with_trusted_proxies_warns_at_start(tmp_path):
    gunicorn = start_gunicorn(tmp_path, "0.0.0.0:0", trusted_proxies="1")
    try:
        wait_until(lambda: "TRUSTED_PROXIES=1 but the web app listens on 0.0.0.0:" in gunicorn.output or
                   not gunicorn.is_running, timeout=90, message="gunicorn's start")
        assert "[WARNING] !!! TRUSTED_PROXIES=1 but the web app listens on 0.0.0.0:" in gunicorn.output, \
            gunicorn.output
    finally:
        gunicorn.stop()


@pytest.mark.slow
def test_gunicorn_on_127_0_0_1_with_trusted_proxies_says_nothing(tmp_path):
    gunicorn = start_gunicorn(tmp_path, "127.0.0.1:0", trusted_proxies="1")
    try:
        # A worker boots only after gunicorn's when_ready hook has run.
        wait_until(lambda: "Booting worker" in gunicorn.output or not gunicorn.is_running, timeout=90,
                   message="gunicorn's first worker")
        assert "Listening at: http://127.0.0.1:" in gunicorn.output
        assert "TRUSTED_PROXIES" not in gunicorn.output
    finally:
        gunicorn.stop()
