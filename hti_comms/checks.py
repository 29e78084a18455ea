"""Findings of pre-send checks: errors block a send, warnings need an explicit confirmation."""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from .formatting import labelled


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "Fel" if self is Level.ERROR else "Varning"


@dataclass(frozen=True)
class Finding:
    """One problem found in something about to be sent: where it is (a Swedish field name) and what is wrong."""

    level: Level
    field: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def __str__(self) -> str:
        return f"{self.level.label}: {labelled(self.field, self.message)}"


def error(field: str, message: str) -> Finding:
    return Finding(Level.ERROR, field, message)


def warning(field: str, message: str) -> Finding:
    return Finding(Level.WARNING, field, message)


def has_errors(findings: Iterable[Finding]) -> bool:
    """Return whether any finding blocks sending."""
    return any(f.is_error for f in findings)
