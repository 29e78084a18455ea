"""Newsletter sweeps: start what is due (a started newsletter's status is its send's; nothing to copy)."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .sending import start_due


@sweep("newsletters.start_due", every_seconds=5)
def start_due_newsletters() -> int:
    """Check, render and enqueue every scheduled newsletter whose time has come."""
    return start_due()
