"""Fixtures shared by the delivery tests that run send workers as processes."""
from __future__ import annotations

import asyncio

import pytest

from hti_comms.delivery.sink import MemorySink, StoringHandler


class SlowHandler(StoringHandler):
    """Takes a few milliseconds per message, like a real relay, so a kill lands mid-send."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.004)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_sink():
    sink = MemorySink()
    sink.start(handler=SlowHandler(sink.store))
    yield sink
    sink.stop()
