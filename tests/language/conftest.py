"""The language check needs the Swedish dictionary: loaded once per session (skipped without it, failed in CI)."""
from __future__ import annotations

import pytest

from .dictionary import ensure_loaded


@pytest.fixture(scope="session")
def swedish():
    ensure_loaded()
