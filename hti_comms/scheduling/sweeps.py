"""The registry of sweeps: functions the single scheduler process runs every few seconds.

A sweep finds due work by querying its own domain's tables (`…_at <= now()` and a status), so it is
idempotent and catches up by itself on work that fell due while the scheduler was down. Domains register
sweeps with `@sweep("name")` in a module named in their `Domain.sweeps`; building an app collects them into that
app's domain registry (`registry(app).sweeps`), so each app is a self-contained value: no module-level registry
to restore after a test.
A sweep must also be safe when it runs twice at the same moment (`hti scheduler --once` next to a running
scheduler): claim rows with a conditional UPDATE, never "read, then write".
"""
from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Sweep:
    name: str
    every_seconds: int
    function: Callable[[], object]


#: The attribute `@sweep` puts on the function it marks.
MARK = "hti_sweep"
#: Seconds each sweep's last run took in this process; the scheduler stores them with its heartbeat (/metrics).
_LAST_DURATIONS: dict[str, float] = {}
_DURATIONS_LOCK = threading.Lock()  # sweeps run in the scheduler's threads while the heartbeat copies them


def last_durations() -> dict[str, float]:
    """Return a copy of how long each sweep's last run in this process took, in seconds."""
    with _DURATIONS_LOCK:
        return dict(_LAST_DURATIONS)


def sweep(name: str, every_seconds: int = 5):
    """Mark a function as a sweep the single scheduler process runs inside an app context; an app whose domain
    names the function's module in `Domain.sweeps` runs it."""
    if every_seconds < 1:
        raise ValueError("a sweep runs at most once a second")

    def mark(function: Callable[[], object]) -> Callable[[], object]:
        setattr(function, MARK, Sweep(name, every_seconds, function))
        return function

    return mark


def sweeps_in(module) -> list[Sweep]:
    """Return the sweeps a module defines (marked with `@sweep`), in the order they are defined."""
    # Functions only: a module's proxies (flask.current_app) are callable but resolve outside an app context.
    return [value.__dict__[MARK] for value in vars(module).values()
            if inspect.isfunction(value) and isinstance(getattr(value, "__dict__", {}).get(MARK), Sweep)
            and value.__dict__[MARK].function is value]


def load_sweeps(app=None) -> dict[str, Sweep]:
    """Return the sweeps of the app (default: the current one), by name, in the order the domains declare them."""
    from ..domain import registry

    return registry(app).sweeps


def run_sweep(name: str) -> bool:
    """Run one sweep in the current app context; roll back and log on error. Return whether it succeeded."""
    return _run(name)[0]


def _run(name: str) -> tuple[bool, object]:
    started = time.monotonic()
    try:
        return _run_once(name)
    finally:
        with _DURATIONS_LOCK:
            _LAST_DURATIONS[name] = round(time.monotonic() - started, 4)


def _run_once(name: str) -> tuple[bool, object]:
    from ..clock import ClockNotTrusted
    from ..dbretry import DATABASE_ERRORS, reset_session
    from ..extensions import db

    try:
        result = load_sweeps()[name].function()
        db.session.commit()
        return True, result
    except ClockNotTrusted as refusal:
        reset_session()
        log.warning("sweep %s waits: %s", name, refusal)
        return False, None
    except DATABASE_ERRORS as exc:
        # The database is away (restart, failover, lock): expected now and then, so one line, not a traceback.
        reset_session()
        reason = getattr(exc, "orig", None) or exc
        log.warning("sweep %s could not reach the database (%s); it runs again at its next turn", name,
                    type(reason).__name__)
        return False, None
    except Exception:
        reset_session()
        log.exception("sweep %s failed; it runs again at its next turn", name)
        return False, None
    finally:
        db.session.remove()


def run_all_once(on_result: Callable[[str], object] = log.info) -> list[str]:
    """Run every registered sweep once, in registration order; report each and return the names that failed."""
    failed = []
    for name in list(load_sweeps()):
        ok, result = _run(name)
        if ok:
            on_result(f"{name}: klart" + (f" ({result})" if isinstance(result, int) and result else ""))
        else:
            on_result(f"{name}: misslyckades (se loggen)")
            failed.append(name)
    return failed
