"""The production shape for tests: gunicorn behind Debian's nginx terminating TLS, Redis, PostgreSQL, a send worker.

Everything runs as the README's Production section says, on free ports of 127.0.0.1, with a self-signed
certificate made for the run. Parts that cannot be had are a visible skip outside CI and a failure in CI.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.processes import PROJECT_ROOT, wait_until

NGINX = Path(shutil.which("nginx") or "/usr/sbin/nginx")
#: A Redis database of its own; the rate-limit keys of a run carry a prefix of their own and only they are removed.
REDIS_URL = "redis://127.0.0.1:6379/7"
#: Two cores shared by several test runs: starting gunicorn or delivering a message may take a while.
START_TIMEOUT = 90.0


def require(available: bool, message: str) -> None:
    """Go on when `available`; otherwise fail in CI (CI=true) and skip with `message` elsewhere."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run the production-shaped tests)")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A running command whose output goes to a file (never a pipe that could fill up and block it)."""

    def __init__(self, command: list[str], log_path: Path, env: dict):
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def is_running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, wait, and SIGKILL what does not stop (a test never leaves a process behind)."""
        try:
            if self.is_running:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        finally:
            if not self._log.closed:
                self._log.close()


def run_command(args: list[str], env: dict, stdin: str = "") -> str:
    """Run `flask --app app <args>` to the end; return its output (AssertionError when it fails)."""
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT_ROOT, env=env,
                            input=stdin, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """Make a certificate for 127.0.0.1 with openssl; return (certificate, key)."""
    certificate, key = directory / "proxy.crt", directory / "proxy.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)
    return certificate, key


NGINX_CONFIG = """\
{user}
worker_processes 1;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections 128; }}
http {{
    access_log {directory}/nginx-access.log;
    client_body_temp_path {directory}/client-body;
    proxy_temp_path {directory}/proxy-temp;
    fastcgi_temp_path {directory}/fastcgi-temp;
    uwsgi_temp_path {directory}/uwsgi-temp;
    scgi_temp_path {directory}/scgi-temp;
    client_max_body_size 20m;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://127.0.0.1:{upstream_port};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_redirect off;
        }}
    }}
}}
"""


def listening_or_gone(process: Process, port: int) -> str | None:
    """"gone" when the process has ended, "listening" once its port takes a connection, else None (ask again)."""
    if not process.is_running:
        return "gone"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return "listening"
    except OSError:
        return None


def gunicorn_command(port: int, workers: int = 2) -> list[str]:
    """The production web server as the systemd unit starts it, on 127.0.0.1:`port`."""
    return [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--timeout", "120", "--graceful-timeout", "10",
            "--bind", f"127.0.0.1:{port}", "app:app"]


def start_nginx(directory: Path, port: int, upstream_port: int) -> Process | None:
    """Start nginx terminating TLS on `port` in front of `upstream_port`; None when the port was taken."""
    certificate, key = directory / "proxy.crt", directory / "proxy.key"
    config = directory / "nginx.conf"
    # Run as root, nginx's workers would switch to `nobody`, who may not write the test's temporary folders.
    user = "user root;" if os.geteuid() == 0 else ""
    config.write_text(NGINX_CONFIG.format(user=user, directory=directory, port=port, upstream_port=upstream_port,
                                          certificate=certificate, key=key))
    nginx = Process([str(NGINX), "-p", str(directory), "-c", str(config), "-e", str(directory / "nginx-error.log")],
                    directory / "nginx.out", env=dict(os.environ))

    if wait_until(lambda: listening_or_gone(nginx, port), timeout=START_TIMEOUT,
                  message="nginx to listen") == "gone":
        nginx.stop()
        errors = (directory / "nginx-error.log").read_text(errors="replace")
        if "Address already in use" in errors:
            return None
        raise AssertionError(f"nginx did not start:\n{errors}\n{nginx.output}")
    return nginx


def fetch(url: str) -> tuple[int, str]:
    """GET `url` through the proxy (its certificate is our own); return (status, body)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, context=context, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return 0, ""


@dataclass
class Stack:
    """The running production shape: the public https address and what the tests need to reach it."""

    base_url: str
    env: dict
    sink: object
    directory: Path
    #: Every rate-limit key of this run in Redis carries it (RATELIMIT_KEY_PREFIX).
    rate_limit_prefix: str
    processes: dict = field(default_factory=dict)

    def rate_limit_keys(self) -> list[bytes]:
        """Return this run's rate-limit keys in Redis."""
        return _redis(lambda client: list(client.scan_iter(match=f"*{self.rate_limit_prefix}*", count=500)))

    def mail_to(self, address: str, subject: str, timeout: float = START_TIMEOUT) -> EmailMessage:
        """Wait until the send worker delivered a message to `address` whose subject contains `subject`."""
        def arrived():
            for message in reversed(self.sink.messages):
                if address in str(message["To"]) and subject in str(message["Subject"]):
                    return message
            return None

        try:
            return wait_until(arrived, timeout=timeout, interval=0.25,
                              message=f"an email to {address} about {subject!r}")
        except AssertionError as error:
            raise AssertionError(f"{error}; the send worker said:\n{self.processes['worker'].output[-3000:]}") \
                from None

    def link_in(self, message: EmailMessage, path: str) -> str:
        """Return the link in the message's text that starts with BASE_URL + `path`, exactly as sent."""
        text = message.get_body(preferencelist=("plain",)).get_content()
        links = re.findall(re.escape(self.base_url + path) + r"[^\s<>\"')\]]+", text)
        assert links, f"no link to {path} in:\n{text}"
        return links[0]


def _redis(action):
    """Return action(client) with a Redis client of the tests' own database, closed afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        return action(client)
    finally:
        client.close()


def _redis_answers() -> bool:
    import redis

    try:
        return bool(_redis(lambda client: client.ping()))
    except redis.exceptions.RedisError:
        return False


def _forget_rate_limits(prefix: str) -> None:
    """Remove the run's own rate-limit keys (and nothing else) from the shared Redis."""
    def forget(client):
        for key in list(client.scan_iter(match=f"*{prefix}*", count=500)):
            client.delete(key)

    _redis(forget)


def _start_web(directory: Path, env: dict) -> dict:
    """Start nginx, then gunicorn behind it, on free ports; return both once a page comes through the proxy.

    A port another process took between choosing and binding it gives new ports and another try.
    """
    for _attempt in range(3):
        port, upstream_port = free_port(), free_port()
        nginx = start_nginx(directory, port, upstream_port)
        if nginx is None:
            continue
        env["BASE_URL"] = base_url = f"https://127.0.0.1:{port}"
        web = Process(gunicorn_command(upstream_port), directory / "gunicorn.log", env)

        def answering_or_gone():
            if not web.is_running:
                return "gone"
            return "answering" if fetch(f"{base_url}/")[0] == 200 else None

        state = wait_until(answering_or_gone, timeout=START_TIMEOUT, interval=0.25,
                           message=f"gunicorn behind nginx at {base_url}")
        if state == "answering":
            return {"nginx": nginx, "web": web}
        web.stop()
        nginx.stop()
        if "in use" not in web.output:
            raise AssertionError(f"gunicorn did not start:\n{web.output}")
    raise AssertionError("three tries found no free pair of ports for nginx and gunicorn")


@contextmanager
def production_stack(directory: Path):
    """Yield a Stack: migrated PostgreSQL, gunicorn behind nginx over https, Redis, a send worker, a mail sink."""
    require(NGINX.exists(), f"{NGINX} is missing; `make test` installs Debian's nginx package (make proxy)")
    require(shutil.which("openssl") is not None, "openssl is missing; it makes the proxy's certificate")
    require(_redis_answers(), f"Redis does not answer at {REDIS_URL}; production keeps the rate limits there")
    from hti_comms.delivery.sink import MemorySink
    from tests.conftest import fresh_database

    with fresh_database("postgresql", directory) as database_url:
        sink = MemorySink().start()
        prefix = f"hti-production-test-{uuid.uuid4().hex[:12]}"
        env = {key: value for key, value in os.environ.items() if not key.startswith(("HTI_", "SMTP_", "MAIL_"))}
        env.update(HTI_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=database_url,
                   BASE_URL="https://127.0.0.1", REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
                   TRUSTED_PROXIES="1", SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port), SMTP_SECURITY="none",
                   PYTHONUNBUFFERED="1")
        processes: dict[str, Process] = {}
        try:
            run_command(["hti", "init-db"], env)
            self_signed_certificate(directory)
            processes.update(_start_web(directory, env))
            processes["worker"] = Process([sys.executable, "-m", "flask", "--app", "app", "hti", "send-worker"],
                                          directory / "worker.log", env)
            yield Stack(base_url=env["BASE_URL"], env=env, sink=sink, directory=directory, rate_limit_prefix=prefix,
                        processes=processes)
        finally:
            for process in reversed(list(processes.values())):
                process.stop()
            sink.stop()
            _forget_rate_limits(prefix)
