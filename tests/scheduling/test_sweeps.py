"""The sweep registry: domains register due-work functions; a failing sweep never breaks the others."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hti_comms import clock
from hti_comms.delivery.models import Send, SendStatus
from hti_comms.scheduling import sweeps
from hti_comms.scheduling.sweeps import SWEEPS, load_sweeps, run_sweep, sweep
from tests.delivery.helpers import enqueue_people, sample_spec


@pytest.fixture
def scratch_registry(monkeypatch):
    monkeypatch.setattr(sweeps, "SWEEPS", dict(SWEEPS))
    return sweeps.SWEEPS


def test_delivery_registers_its_sweeps():
    registry = load_sweeps()
    assert {"delivery.start_due_sends", "delivery.finish_sends"} <= set(registry)
    assert registry["delivery.start_due_sends"].every_seconds == 5


def test_a_failing_sweep_rolls_back_and_reports(app, db, scratch_registry):
    from hti_comms.delivery.services import is_suppressed, suppress

    @sweep("test.broken", every_seconds=1)
    def broken():
        suppress("eva@example.se", "staff")
        raise RuntimeError("boom")

    @sweep("test.working", every_seconds=1)
    def working():
        suppress("olle@example.se", "staff")

    assert run_sweep("test.broken") is False
    assert run_sweep("test.working") is True
    assert not is_suppressed("eva@example.se")
    assert is_suppressed("olle@example.se")


def test_start_due_sends_catches_up_on_sends_missed_while_down(app, db):
    due = clock.now() - timedelta(hours=3)
    send_id = enqueue_people(1, sample_spec(scheduled_at=clock.now() + timedelta(minutes=5)))
    db.session.get(Send, send_id).scheduled_at = due
    db.session.commit()
    load_sweeps()
    assert run_sweep("delivery.start_due_sends") is True
    assert db.session.get(Send, send_id).status is SendStatus.SENDING


def test_sweep_names_are_unique(scratch_registry):
    @sweep("test.unique")
    def first():
        return None

    with pytest.raises(ValueError, match="two sweeps"):
        @sweep("test.unique")
        def second():
            return None
