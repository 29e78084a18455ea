"""SIGTERM sets the stop event even when it arrives while the main thread holds the event's own lock (inside
`Event.wait()`): the handler that set the event itself waited for that lock forever (`hti dev` hung on SIGTERM)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.processes import PROJECT_ROOT

#: The moment the old handler deadlocked, made certain: the signal arrives while the main thread holds the lock
#: that Event.wait() and Event.set() take, and its handler runs before that thread lets go of it.
SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from hti_comms.{module} import {function}

    stop = {function}()
    with stop._cond:
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs between two of these steps, the lock still held
            pass
        held_while_signalled = not stop.is_set()
    print("stopped" if stop.wait(10) and held_while_signalled else "not stopped", flush=True)
""")


@pytest.mark.parametrize("module, function", [("signals", "event_set_by_signals"), ("cli", "stop_on_signals")])
def test_a_signal_arriving_while_the_event_is_locked_still_stops(module, function):
    try:
        run = subprocess.run([sys.executable, "-c", SCRIPT.format(module=module, function=function)],
                             cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the process hung on SIGTERM (the handler waited for the event's lock its own thread held)")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "stopped"


def test_sigint_stops_too_and_repeated_signals_do_no_harm():
    script = textwrap.dedent("""
        import os, signal
        from hti_comms.signals import event_set_by_signals

        stop = event_set_by_signals(signal.SIGTERM, signal.SIGINT)
        for _ in range(100_000):  # more than a pipe holds: the handler never blocks
            os.kill(os.getpid(), signal.SIGINT)
        print("stopped" if stop.wait(10) else "not stopped", flush=True)
    """)
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "stopped"
