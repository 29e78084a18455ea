"""A newsletter's status: its own until it starts (draft, scheduled), from then on what its delivery send says.

There is one state machine per thing: once a newsletter has started, its stored stage stays "sending" and its
status is read from its send (`delivery.api.send_status_of`), in Python and in SQL alike, so no sweep copies the
send's state and there is no moment when the two disagree.
"""
from __future__ import annotations

from sqlalchemy import Enum, case, literal, type_coerce

from ..delivery.api import SendStatus, send_status_of
from ..status import LabelledEnum


class NewsletterKind(LabelledEnum):
    NEWSLETTER = ("newsletter", "Nyhetsbrev")
    CIRCULAR = ("circular", "Cirkulär")


class NewsletterStatus(LabelledEnum):
    """A newsletter's status: its own until it starts (draft, scheduled), then what its delivery send says."""

    DRAFT = ("draft", "Utkast")
    #: Waits for scheduled_at; nothing is in the outbox yet (the audience is resolved when it starts).
    SCHEDULED = ("scheduled", "Schemalagt")
    #: Started: rendered, its recipients in the outbox; pause/resume/cancel act on its delivery send.
    SENDING = ("sending", "Skickas")
    SENT = ("sent", "Skickat")  # stored only for one that went out without a send (the demo issue)
    CANCELLED = ("cancelled", "Avbrutet")


NEWSLETTER_TRANSITIONS = {
    NewsletterStatus.DRAFT: frozenset({NewsletterStatus.SCHEDULED}),
    # Back to draft: staff unschedule it, an edit brought new findings, or the checks at the start stopped it.
    NewsletterStatus.SCHEDULED: frozenset({NewsletterStatus.DRAFT, NewsletterStatus.SENDING}),
    NewsletterStatus.SENDING: frozenset({NewsletterStatus.SENT, NewsletterStatus.CANCELLED}),
    NewsletterStatus.SENT: frozenset(),
    NewsletterStatus.CANCELLED: frozenset(),
}


def enum_type(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


STATUS_TYPE = enum_type(NewsletterStatus, "newsletter_status")
#: What a started newsletter's status is for each state of its send (any other: still sending).
_FROM_SEND = {SendStatus.DONE: NewsletterStatus.SENT, SendStatus.CANCELLED: NewsletterStatus.CANCELLED}


def derived_status(stage: NewsletterStatus, send_status: SendStatus | None) -> NewsletterStatus:
    """Return the status of a newsletter at `stage` whose send is in `send_status` (None: it has no send)."""
    if stage is not NewsletterStatus.SENDING or send_status is None:
        return stage
    return _FROM_SEND.get(send_status, NewsletterStatus.SENDING)


def status_expression(stage, send_id):
    """Return the SQL for `Newsletter.status`: the stage, or for a started newsletter what its send says."""
    send = send_status_of(send_id)
    return type_coerce(case(
        (stage != NewsletterStatus.SENDING, stage),
        *((send == send_status, literal(status, STATUS_TYPE)) for send_status, status in _FROM_SEND.items()),
        else_=stage), STATUS_TYPE)
