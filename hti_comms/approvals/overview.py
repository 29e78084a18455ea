"""The approvals domain's block on the staff overview: requests waiting for a second person."""
from __future__ import annotations

from ..domain import OverviewPart
from .services import waiting


def waiting_requests() -> OverviewPart | None:
    """Approval requests waiting for a second person (the block says who asked and which role approves)."""
    requests = waiting()
    if not requests:
        return None
    return OverviewPart("waiting", "web/approvals/_overview.html", {"approval_requests": requests}, order=5)
