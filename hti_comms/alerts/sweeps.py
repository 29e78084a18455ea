"""The alerts' scheduled work: the results at the publication moment, and forgetting unconfirmed requests."""
from __future__ import annotations

from ..scheduling.sweeps import sweep
from .publication import send_due
from .services import purge_unconfirmed


@sweep("alerts.at_publication", every_seconds=5)
def at_publication() -> int:
    """Send each followed municipality's result once its year's publication moment has passed."""
    return send_due()


@sweep("alerts.purge_unconfirmed", every_seconds=3600)
def purge() -> int:
    """Delete requests never confirmed within the retention period."""
    return purge_unconfirmed()
