"""Delivery's sweeps: start sends whose time has come, close sends with nothing left to send."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .services import finish_sends, start_due_sends


@sweep("delivery.start_due_sends", every_seconds=5)
def start_due() -> int:
    """Start every scheduled send whose scheduled_at has passed (also those missed while down)."""
    return start_due_sends()


@sweep("delivery.finish_sends", every_seconds=15)
def finish() -> int:
    """Mark sends with no waiting or in-flight row as done."""
    return finish_sends()
