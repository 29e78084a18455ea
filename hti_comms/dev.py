"""`hti dev`: the whole product on one machine — web app, scheduler, send worker and mail sink together."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import click

from .cli import hti
from .signals import event_set_by_signals

#: How long the processes get to stop after SIGTERM before they are killed.
STOP_GRACE_SECONDS = 10


def _commands(port: int, sink_port: int) -> list[tuple[str, list[str]]]:
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    return [
        ("testpost", [*flask, "hti", "mail-sink", "--port", str(sink_port)]),
        ("schema", [*flask, "hti", "scheduler"]),
        ("utskick", [*flask, "hti", "send-worker"]),
        ("webb", [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"]),
    ]


def _pump(name: str, stream, lock: threading.Lock) -> None:
    for line in iter(stream.readline, ""):
        with lock:
            sys.stdout.write(f"[{name:8}] {line}")
            sys.stdout.flush()
    stream.close()


@hti.command("dev")
@click.option("--port", type=int, default=5000, show_default=True, help="Port of the web app on 127.0.0.1.")
@click.option("--sink-port", type=int, default=8025, show_default=True, help="Port of the mail sink on 127.0.0.1.")
def dev_command(port: int, sink_port: int) -> None:
    """Start the web app, the scheduler, a send worker and the mail sink; stop all on Ctrl-C or SIGTERM."""
    env = dict(os.environ, SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink_port), SMTP_SECURITY="none", MAIL_SINK="1",
               PYTHONUNBUFFERED="1")
    env.pop("SMTP_USERNAME", None)
    env.pop("SMTP_PASSWORD", None)
    env.setdefault("BASE_URL", f"http://127.0.0.1:{port}")
    stop = event_set_by_signals(signal.SIGTERM, signal.SIGINT)

    lock = threading.Lock()
    processes: list[tuple[str, subprocess.Popen]] = []
    click.echo(f"Webben: http://127.0.0.1:{port}  ·  Testposten (SMTP): 127.0.0.1:{sink_port}  ·  Ctrl-C stoppar allt.")
    for name, command in _commands(port, sink_port):
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   bufsize=1)
        processes.append((name, process))
        threading.Thread(target=_pump, args=(name, process.stdout, lock), daemon=True).start()

    exit_code = 0
    while not stop.wait(0.5):
        dead = [(name, p) for name, p in processes if p.poll() is not None]
        if dead:
            name, process = dead[0]
            click.echo(f"Processen {name} stannade (kod {process.returncode}); stoppar de andra.", err=True)
            exit_code = 1
            break
    _stop_all(processes)
    if exit_code:
        raise SystemExit(exit_code)


def _stop_all(processes: list[tuple[str, subprocess.Popen]]) -> None:
    for _name, process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(f"Processen {name} svarade inte; avslutas med tvång.", err=True)
            process.kill()
            process.wait()
