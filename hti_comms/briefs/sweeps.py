"""The briefs domain's scheduled work: the local briefs and district digests at the publication moment."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .at_publication import send_due


@sweep("briefs.at_publication", every_seconds=5)
def at_publication() -> int:
    """Send the chosen briefs of every year whose publication moment has passed (also after downtime)."""
    return send_due()
