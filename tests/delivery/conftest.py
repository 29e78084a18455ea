"""Fixtures shared by the delivery tests that run send workers as processes."""
from __future__ import annotations

import pytest

from .helpers import slow_sink_running


@pytest.fixture
def slow_sink():
    with slow_sink_running(0.004) as sink:
        yield sink
