"""The events domain's block on the staff overview: the next events with their registrations."""
from __future__ import annotations

from ..domain import OverviewPart
from .models import RegistrationStatus
from .services import counts_by_event, upcoming_events
from .wording import when_text

SHOWN = 5


def next_events() -> OverviewPart | None:
    events = upcoming_events(include_cancelled=False)[:SHOWN]
    if not events:
        return None
    return OverviewPart("coming", "web/events/_overview.html", {"events": events, "counts": counts_by_event(),
                                                                "when_text": when_text,
                                                                "registered": RegistrationStatus.REGISTERED}, order=20)
