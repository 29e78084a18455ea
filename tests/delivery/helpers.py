"""Small builders shared by the delivery tests."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
from hti_comms.delivery.owner import Owner
from hti_comms.delivery.sink import MemorySink, StoringHandler
from hti_comms.extensions import db


def sample_spec(**overrides) -> EmailSpec:
    values = {"template": "delivery/test", "subject": "Provbrev", "kind": "test",
              "context": {"sent_by": "Karin", "note": ""}, "owner": Owner("tests", "sample")}
    values.update(overrides)
    return EmailSpec(**values)


def enqueue_people(count: int, spec: EmailSpec | None = None, prefix: str = "person") -> int:
    """Enqueue `count` recipients and commit; return the send id."""
    recipients = [Recipient(email=f"{prefix}{n}@example.se", name=f"Person {n}") for n in range(count)]
    send = enqueue(spec or sample_spec(), recipients)
    db.session.commit()
    return send.id


class SlowHandler(StoringHandler):
    """Takes `delay` seconds per message, like a real relay, so a kill or a backup lands mid-send."""

    def __init__(self, store, delay: float):
        super().__init__(store)
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def slow_sink_running(delay: float) -> Iterator[MemorySink]:
    """A memory sink on its own port whose every message takes `delay` seconds."""
    sink = MemorySink()
    sink.start(handler=SlowHandler(sink.store, delay))
    try:
        yield sink
    finally:
        sink.stop()
