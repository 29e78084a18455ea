"""The send worker's question before it claims rows of a running send: "may this send go out now?"

Domains answer through their `Domain.release_guards` (asked by `hti_comms.release.send_hold`): the publication
domain holds a send that carries a year's results until their release. A send that is held keeps every row
waiting — nothing fails, nothing is paused — and the worker asks again on its next claim. Guards run in the
worker's database session and must be quick: they are asked at every claim.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..domain import registry
from ..release import send_hold
from .sendview import view
from .models import Send


def has_gates() -> bool:
    """Return whether any domain has a release guard (if none, the worker skips loading the sends)."""
    return bool(registry().release_guards)


def held_back(sends: Iterable[Send]) -> dict[int, str]:
    """Return {send id: reason} for the sends some release guard holds back now."""
    held: dict[int, str] = {}
    for send in sends:
        hold = send_hold(view(send))
        if hold is not None:
            held[send.id] = hold.reason
    return held
