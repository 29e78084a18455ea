"""Gates in the send worker's claim path: "may this send go out now?"

A domain that must hold a send back at the last moment (an embargo that moved, a publication that is not yet
live) registers a gate. The worker asks every gate before it claims rows of a running send; a gate that answers
with a reason keeps every row of that send waiting (nothing fails, nothing is paused) and the worker asks again
on its next claim. Gates run in the worker's database session and must be quick: they are asked every claim.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from .models import Send

log = logging.getLogger(__name__)

#: Return None when the send may go out now, else a short reason why it must wait.
SendGate = Callable[[Send], "str | None"]
_GATES: list[SendGate] = []


def register_send_gate(gate: SendGate) -> SendGate:
    """Add a gate (usable as a decorator); registering the same function twice has no effect."""
    if gate not in _GATES:
        _GATES.append(gate)
    return gate


def unregister_send_gate(gate: SendGate) -> None:
    if gate in _GATES:
        _GATES.remove(gate)


def has_gates() -> bool:
    return bool(_GATES)


def held_back(sends: Iterable[Send]) -> dict[int, str]:
    """Return {send id: reason} for the sends some gate holds back now."""
    held: dict[int, str] = {}
    for send in sends:
        for gate in _GATES:
            reason = gate(send)
            if reason:
                held[send.id] = reason
                break
    return held
