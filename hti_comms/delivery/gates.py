"""The send worker's question before it claims rows of a running send: "may this send go out now?"

Domains answer through their `Domain.release_guards` (asked by `hti_comms.release.send_hold`): the publication
domain holds a send that carries a year's results until their release. A send that is held keeps every row
waiting — nothing fails, nothing is paused — and the worker asks again on its next claim. Guards run in the
worker's database session and must be quick: they are asked at every claim, about every running send (a
`release.ManySendGuard` answers for all of them with one query).
"""
from __future__ import annotations

from collections.abc import Iterable

from ..domain import registry
from ..release import send_holds
from .models import Send
from .sendview import SendView, view


def has_gates() -> bool:
    """Return whether any domain has a release guard (if none, the worker skips loading the sends)."""
    return bool(registry().release_guards)


def held_back(sends: Iterable[Send | SendView]) -> dict[int, str]:
    """Return {send id: reason} for the sends some release guard holds back now."""
    views = [send if isinstance(send, SendView) else view(send) for send in sends]
    return {send_id: hold.reason for send_id, hold in send_holds(views).items()}
