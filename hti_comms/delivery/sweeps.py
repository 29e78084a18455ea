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


@sweep("delivery.settle_expired_claims", every_seconds=15)
def settle() -> int:
    """Settle rows a crashed worker left claimed in sends that are paused, cancelled or out of attempts."""
    from flask import current_app

    from .services import settle_expired_claims

    return settle_expired_claims(current_app.config["SEND_MAX_ATTEMPTS"])
