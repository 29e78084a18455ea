"""The subscribers domain's scheduled work: forgetting sign-ups that were never confirmed."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .gdpr import delete_stale_signups


@sweep("subscribers.delete_stale_signups", every_seconds=3600)
def delete_stale() -> int:
    """Delete never-confirmed sign-ups older than the retention period (30 days by default)."""
    return delete_stale_signups()
