"""The subscribers domain's scheduled work: queued contact imports, and forgetting unconfirmed sign-ups."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .gdpr import delete_stale_signups
from .imports.run import run_queued_imports


@sweep("subscribers.delete_stale_signups", every_seconds=3600)
def delete_stale() -> int:
    """Delete never-confirmed sign-ups older than the retention period (30 days by default)."""
    return delete_stale_signups()


@sweep("subscribers.run_queued_imports", every_seconds=5)
def run_imports() -> int:
    """Import the contact files staff have asked for (outside the web request: large files take seconds)."""
    return run_queued_imports()
