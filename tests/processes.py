"""Start `flask --app app hti …` commands as real subprocesses against the test database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class FlaskProcess:
    """A running `flask --app app <args>`; its output goes to a file so it can never block on a pipe."""

    def __init__(self, args: list[str], database_url: str, log_path: Path, **env: str):
        self.log_path = log_path
        environment = dict(os.environ, HTI_ENV="test", DATABASE_URL=database_url, PYTHONUNBUFFERED="1",
                           BASE_URL="https://hti.example.se")
        environment.update({key: str(value) for key, value in env.items()})
        self._log = log_path.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT_ROOT,
                                        env=environment, stdout=self._log, stderr=subprocess.STDOUT)

    @property
    def output(self) -> str:
        return self.log_path.read_text()

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        if not self._log.closed:
            self._log.close()

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait; return the exit code."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                    raise AssertionError(f"process did not stop on SIGTERM:\n{self.output}") from None
        finally:
            if not self._log.closed:
                self._log.close()
        return self.process.returncode


def wait_until(condition, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll `condition()` until it returns something truthy; return it (AssertionError on timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
