"""The registry of sweeps: functions the single scheduler process runs every few seconds.

A sweep finds due work by querying its own domain's tables (`…_at <= now()` and a status), so it is
idempotent and catches up by itself on work that fell due while the scheduler was down. Domains register
sweeps with `@sweep("name")` in a module listed in SWEEP_MODULES.
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: Modules whose import registers sweeps (add yours here).
SWEEP_MODULES = [
    "hti_comms.delivery.sweeps",
    "hti_comms.subscribers.sweeps",
]


@dataclass(frozen=True)
class Sweep:
    name: str
    every_seconds: int
    function: Callable[[], object]


SWEEPS: dict[str, Sweep] = {}


def sweep(name: str, every_seconds: int = 5):
    """Register a function that the single scheduler process runs inside an app context."""
    if every_seconds < 1:
        raise ValueError("a sweep runs at most once a second")

    def register(function: Callable[[], object]) -> Callable[[], object]:
        existing = SWEEPS.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"two sweeps are called {name!r}")
        SWEEPS[name] = Sweep(name, every_seconds, function)
        return function

    return register


def load_sweeps() -> dict[str, Sweep]:
    """Import every module in SWEEP_MODULES and return the registry."""
    for module in SWEEP_MODULES:
        importlib.import_module(module)
    return SWEEPS


def run_sweep(name: str) -> bool:
    """Run one sweep in the current app context; roll back and log on error. Return whether it succeeded."""
    from ..dbretry import DATABASE_ERRORS, reset_session
    from ..extensions import db

    try:
        SWEEPS[name].function()
        db.session.commit()
        return True
    except DATABASE_ERRORS as exc:
        # The database is away (restart, failover, lock): expected now and then, so one line, not a traceback.
        reset_session()
        reason = getattr(exc, "orig", None) or exc
        log.warning("sweep %s could not reach the database (%s); it runs again at its next turn", name,
                    type(reason).__name__)
        return False
    except Exception:
        reset_session()
        log.exception("sweep %s failed; it runs again at its next turn", name)
        return False
    finally:
        db.session.remove()
