"""The sweep registry: domains register due-work functions; a failing sweep never breaks the others."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from hti_comms import clock
from hti_comms.delivery.models import Send, SendStatus
from hti_comms.scheduling import sweeps
from hti_comms.scheduling.sweeps import load_sweeps, run_sweep, sweep
from tests.delivery.helpers import enqueue_people, sample_spec


@pytest.fixture
def scratch_registry(app):
    """The test's own app's sweeps: adding to them changes no other app (nothing to restore)."""
    return load_sweeps(app)


def test_delivery_registers_its_sweeps(app):
    registry = load_sweeps(app)
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

    assert "test.broken" not in scratch_registry  # marking a function registers it nowhere by itself
    scratch_registry.update({item.name: item for item in sweeps.sweeps_in(SimpleNamespace(broken=broken,
                                                                                           working=working))})

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


def test_sweep_names_are_unique_across_domains(app):
    from hti_comms.domain import Domain, load_domains

    load_domains(app, ("tests.sample_domain",))
    assert load_sweeps(app)["sample.tick"].every_seconds == 60
    twin = Domain(package="tests.sample_twin", sweeps=("tests.sample_domain.views",))
    twin.init_app(app)  # its sweeps are collected when first asked for: by the scheduler as it starts
    with pytest.raises(ValueError, match="two sweeps are called 'sample.tick'"):
        load_sweeps(app)


def test_an_app_runs_only_the_sweeps_its_domains_declare(app):
    """Another app loaded the sample domain (the test above); this one never did, so it has no sample sweep."""
    import importlib

    from hti_comms import DOMAINS

    assert "sample.tick" not in load_sweeps(app)
    declared = [item.name for package in DOMAINS for module in importlib.import_module(package).DOMAIN.sweeps
                for item in sweeps.sweeps_in(importlib.import_module(module, package))]
    assert list(load_sweeps(app)) == declared and len(declared) == len(set(declared))
