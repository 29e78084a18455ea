"""Newsletter sweeps: start what is due, and mark finished sends as sent."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .sending import finish_done, start_due


@sweep("newsletters.start_due", every_seconds=5)
def start_due_newsletters() -> int:
    """Check, render and enqueue every scheduled newsletter whose time has come."""
    return start_due()


@sweep("newsletters.finish", every_seconds=15)
def finish_newsletters() -> int:
    """Mark newsletters whose delivery has finished as sent (or cancelled)."""
    return finish_done()
