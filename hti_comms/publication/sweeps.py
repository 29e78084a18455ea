"""The publication domain's scheduled work: embargoed summaries at the release, access emails at publication."""
from __future__ import annotations

from .. import clock
from ..scheduling.sweeps import sweep
from .access import send_due_access_emails
from .summaries import release_due_summaries


@sweep("publication.release_summaries", every_seconds=5)
def release_summaries() -> int:
    """Send the embargoed summaries that are due."""
    clock.trusted_now()  # the database's time, measured recently, or no release at all (ClockNotTrusted)
    return release_due_summaries()


@sweep("publication.access_emails", every_seconds=10)
def access_emails() -> int:
    """Send the access emails of years whose publication has passed."""
    clock.trusted_now()
    return send_due_access_emails()
