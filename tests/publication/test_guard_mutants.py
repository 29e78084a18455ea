"""The release guard asked directly at exact instants, with a stopped clock: what `make mutation` found the worker
tests let through (see mutation/).

Every branch of `hold_for_embargo` is asked for its exact answer (the reason staff see, and until when), one second
either side of the embargo release and the publication, and for orders of another year, cancelled or not yet
confirmed. A claim's sends are judged at the one instant the claim asked, and a clock that cannot be trusted holds
every one of them that carries results.
"""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from hti_comms import clock, dbclock
from hti_comms.delivery.owner import Owner
from hti_comms.extensions import db
from hti_comms.publication.guard import hold_for_embargo
from hti_comms.publication.moments import set_publication
from hti_comms.publication.orders import cancel_order
from hti_comms.release import Hold, send_hold

from .helpers import PUBLISHED_AT, RELEASE_AT, form_order, results_for_2025, staff_order

SECOND = timedelta(seconds=1)


def _send(domain: str, kind: str, year: int, code: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(owner=Owner.of(domain, kind, year, code) if code else Owner.of(domain, kind, year))


def _summary(code: str | None = "0114") -> SimpleNamespace:
    return _send("publication", "embargo-summary", 2025, code)


def _fresh_transaction() -> None:
    db.session.commit()


def test_a_send_without_results_is_never_held(app):
    results_for_2025()
    clock.stop_at(RELEASE_AT - timedelta(days=30))
    assert hold_for_embargo(SimpleNamespace(owner=Owner.of("newsletters", "newsletter", 1))) is None


def test_a_year_without_a_publication_moment_holds_everything_it_carries(app):
    clock.stop_at(PUBLISHED_AT)
    assert hold_for_embargo(_summary()) == Hold("Resultaten för 2025 har ingen publiceringstid ännu.")
    assert hold_for_embargo(_send("alerts", "result", 2025, "0114")) == Hold(
        "Resultaten för 2025 har ingen publiceringstid ännu.")


def test_results_go_out_at_the_very_second_of_publication_and_not_one_before(app):
    results_for_2025()
    report = _send("alerts", "result", 2025, "0114")
    clock.stop_at(PUBLISHED_AT - SECOND)
    assert hold_for_embargo(report) == Hold(
        "Resultaten för 2025 publiceras torsdag 4 december 2025 kl. 07.00; brevet väntar till dess.",
        until=PUBLISHED_AT)
    _fresh_transaction()
    clock.stop_at(PUBLISHED_AT)
    assert hold_for_embargo(report) is None and send_hold(report) is None


def test_an_embargoed_summary_goes_from_the_very_second_of_release_until_the_second_before_publication(app):
    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    _fresh_transaction()
    clock.stop_at(RELEASE_AT - SECOND)
    assert hold_for_embargo(_summary()) == Hold("Under embargo: skickas tidigast onsdag 3 december 2025 kl. 07.00.",
                                                until=RELEASE_AT)
    clock.stop_at(RELEASE_AT)
    assert hold_for_embargo(_summary()) is None
    clock.stop_at(PUBLISHED_AT - SECOND)
    assert hold_for_embargo(_summary()) is None
    clock.stop_at(PUBLISHED_AT)
    assert hold_for_embargo(_summary()) == Hold(
        "Resultaten för 2025 är publicerade; brev med embargomärkning skickas inte efter publiceringen.")


NOT_ORDERED = Hold("Kommunen har inte beställt rapportpaketet och får inte resultaten före publiceringen.")


def test_an_embargoed_summary_needs_a_live_order_of_that_year_for_that_municipality(app):
    results_for_2025()
    staff_order("0114", "forra@vasby.example.se", year=2024)  # another year's order entitles to nothing now
    order, _ = staff_order("0115", "a@vallentuna.example.se")
    form_order("0117", "b@osteraker.example.se")  # not confirmed yet: no order
    _fresh_transaction()
    clock.stop_at(RELEASE_AT)
    assert hold_for_embargo(_summary("0115")) is None
    assert hold_for_embargo(_summary("0114")) == NOT_ORDERED
    assert hold_for_embargo(_summary("0117")) == NOT_ORDERED
    cancel_order(order, actor="test")
    _fresh_transaction()
    assert hold_for_embargo(_summary("0115")) == NOT_ORDERED


def test_a_question_first_thing_in_a_new_transaction_reads_the_moment_again(app):
    """The worker asks at every claim, in a new transaction each time: a postponement holds the next claim."""
    results_for_2025()
    report = _send("alerts", "result", 2025, "0114")
    clock.stop_at(PUBLISHED_AT - timedelta(days=2))
    _fresh_transaction()
    assert hold_for_embargo(report).until == PUBLISHED_AT  # first thing in a fresh transaction
    set_publication(2025, PUBLISHED_AT + timedelta(days=7), actor="test")
    _fresh_transaction()  # the next claim
    assert hold_for_embargo(report).until == PUBLISHED_AT + timedelta(days=7)
    set_publication(2025, PUBLISHED_AT, actor="test")
    _fresh_transaction()
    assert hold_for_embargo(report).until == PUBLISHED_AT


def test_within_one_transaction_the_year_is_read_once_for_every_send_asked_about(app):
    """The worker asks for every running send at every claim: one read of the year per transaction, not per send."""
    from sqlalchemy import event

    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    _fresh_transaction()
    clock.stop_at(RELEASE_AT)
    statements: list[str] = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert hold_for_embargo(_summary()) is None
        first = len(statements)
        assert first > 0
        sends = (_summary(), _summary("0115"), _send("alerts", "result", 2025, "0114"))
        assert [hold_for_embargo(send) is None for send in sends] == [True, False, False]
        assert len(statements) == first
        _fresh_transaction()
        hold_for_embargo(_summary())
        assert len(statements) > first
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


UNTRUSTED = ("Databasens klocka har inte kunnat läsas på över tre minuter, så det går inte att avgöra säkert om "
             "resultat får visas eller skickas än. Det väntar tills klockan kan läsas igen.")


@pytest.fixture
def database_clock():
    """The process's clock taken from a database server of our own (tests/test_dbclock.py's `FakeServer`), whose
    readings are counted; the process's clock put back afterwards."""
    from tests.test_dbclock import FakeServer

    server = FakeServer(RELEASE_AT)
    readings: list[float] = []

    def monotonic() -> float:
        readings.append(server.monotonic)
        return server.monotonic

    earlier = clock.reference()
    clock.use_reference(dbclock.DatabaseClock("postgresql+psycopg://fake/fake", measure=server.measure,
                                              monotonic=monotonic))
    try:
        yield SimpleNamespace(server=server, readings=readings)
    finally:
        clock.use_reference(earlier)


def test_a_clock_that_cannot_be_trusted_holds_every_send_of_a_claim_that_carries_results(app, database_clock):
    """The database's time cannot be read: each send that carries results waits with the reason staff see, and a
    send without results still goes."""
    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    _fresh_transaction()
    clock.stop_at(RELEASE_AT)  # in the window: only the clock can hold the summary back
    database_clock.server.down = True  # and stays away for longer than the clock is trusted without it
    database_clock.server.monotonic += dbclock.TRUST_SECONDS + 1
    sends = [_summary(), _send("alerts", "result", 2025, "0114"), _send("newsletters", "newsletter", 1),
             _summary("0115")]
    assert hold_for_embargo.judge(sends) == [Hold(UNTRUSTED), Hold(UNTRUSTED), None, Hold(UNTRUSTED)]
    assert hold_for_embargo(_summary()) == Hold(UNTRUSTED)


def test_the_clock_is_read_once_for_all_the_sends_of_a_claim(app, database_clock):
    """Every send of a claim is judged at the one instant the claim asked (and the clock is not asked again for
    each send)."""
    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    _fresh_transaction()
    clock.set_now(RELEASE_AT)  # runs on from the embargo release, on the database's time
    assert hold_for_embargo.judge([_summary()]) == [None]  # the year read for this transaction
    before = len(database_clock.readings)
    assert hold_for_embargo.judge([_summary()]) == [None]
    one = len(database_clock.readings) - before
    assert one > 0
    before = len(database_clock.readings)
    sends = [_summary(), _summary("0115"), _send("newsletters", "newsletter", 1),
             _send("alerts", "result", 2025, "0114"), _summary()]
    assert hold_for_embargo.judge(sends) == [None, NOT_ORDERED, None, Hold(
        "Resultaten för 2025 publiceras torsdag 4 december 2025 kl. 07.00; brevet väntar till dess.",
        until=PUBLISHED_AT), None]
    assert len(database_clock.readings) - before == one
