"""The events domain's scheduled work: reminders before each event."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .reminders import send_due_reminders


@sweep("events.send_reminders", every_seconds=30)
def send_reminders() -> int:
    """Send the reminders that are due (1 day and 1 hour before by default) to everyone registered."""
    return send_due_reminders()
