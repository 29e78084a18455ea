"""Status enums with their Swedish labels, and the one way a status changes: through a transition table."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class LabelledEnum(enum.Enum):
    """An enum whose members are declared as `NAME = ("value", "Swedish label")`.

    The value is what the database stores; `label` is what staff and readers see.
    """

    def __new__(cls, value: str, label: str):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for a form's select field."""
        return [(member.value, member.label) for member in cls]


class TransitionError(ValueError):
    """A status change the transition table does not allow; the message is Swedish."""


def can_transition(table: Mapping[Any, frozenset | set], current: Any, target: Any) -> bool:
    """Return whether `table` allows going from `current` to `target`."""
    return target in table.get(current, ())


def transition(obj: Any, target: Any, table: Mapping[Any, frozenset | set], attribute: str = "status") -> None:
    """Move `obj.<attribute>` to `target` if `table` allows it, else raise TransitionError (staying put)."""
    current = getattr(obj, attribute)
    if current is target:
        return
    if not can_transition(table, current, target):
        raise TransitionError(f"Det går inte att gå från ”{_label(current)}” till ”{_label(target)}”.")
    setattr(obj, attribute, target)


def _label(member: Any) -> str:
    return getattr(member, "label", None) or str(getattr(member, "value", member))
