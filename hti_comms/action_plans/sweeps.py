"""The action-plan domain's scheduled work: the yearly reminder to the ordering municipalities' contacts."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .reminders import send_due_reminders


@sweep("action_plans.send_reminders", every_seconds=300)
def send_reminders() -> int:
    """Send the reminder of each year whose `ACTION_PLAN_REMINDER_MONTHS` after publication have passed, once."""
    return send_due_reminders()
