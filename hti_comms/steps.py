"""A step of a year's cycle (a moment with its state and counts): the publication timeline, the year plan and the
staff overview show the same steps, whichever domain they come from.

Domains add steps of their own to a year with `Domain.year_steps` ("module:function" `(year) -> list[Step]`);
`year_steps(year)` gathers them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .formatting import format_datetime, relative_phrase

WAITING, RUNNING, DONE, FAILED = "Väntar", "Pågår", "Klart", "Misslyckades"


@dataclass
class Step:
    """One step: what, when (UTC; None: not decided), its state and counts, and what is missing or wrong."""

    title: str
    at: datetime | None
    state: str
    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""
    #: What staff must do or know (Swedish sentences): something missing, a brief held back and why.
    problems: list[str] = field(default_factory=list)
    #: The staff page where the step is handled, when there is one: (endpoint, URL values), built when shown.
    page: tuple[str, dict] | None = None
    #: Steps of the same kind sort together in the year plan ("event", "send", "publication").
    kind: str = ""

    @property
    def when(self) -> str:
        return format_datetime(self.at) if self.at else "Inte bestämt"

    @property
    def countdown(self) -> str:
        return relative_phrase(self.at) if self.at else ""

    @property
    def url(self) -> str | None:
        from flask import url_for

        from .staff import may

        # A link only for those who may open the page (the publication pages need the role publicering).
        if not self.page or not may(self.page[0], "GET"):
            return None
        return url_for(self.page[0], **self.page[1])


def year_steps(year: int) -> list[Step]:
    """Return the steps every domain adds to `year` (`Domain.year_steps`), in the domains' order."""
    from .domain import registry

    steps: list[Step] = []
    for function in registry().year_steps:
        steps.extend(function(year))
    return steps
