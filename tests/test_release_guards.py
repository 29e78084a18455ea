"""The release guards asked about every running send at once (`release.send_holds`, once per claim): a guard that
judges many sends answers for all of them in one go, any other guard is still asked send by send, and a clock
that cannot be trusted holds only the sends whose guard needed it."""
from __future__ import annotations

from types import SimpleNamespace

from hti_comms.clock import ClockNotTrusted
from hti_comms.delivery.owner import Owner
from hti_comms.domain import registry
from hti_comms.release import Addressee, Hold, ManyRecipientGuard, ManySendGuard, refused_recipients, \
    refused_recipients_of, send_hold, send_holds


def _send(number: int, kind: str = "sample"):
    return SimpleNamespace(id=number, owner=Owner("tests", kind, str(number)))


def test_each_guard_is_asked_once_for_all_sends_or_send_by_send_and_the_first_hold_wins(app):
    asked_many: list[list[int]] = []
    asked_one: list[int] = []

    def results_guard(send):
        asked_one.append(send.id)
        if send.owner.kind == "results":
            raise ClockNotTrusted("Databasens klocka har inte kunnat läsas.")
        return Hold("utkast") if send.id == 4 else None

    def approvals(sends):
        asked_many.append([send.id for send in sends])
        return [Hold("väntar på godkännande") if send.id in (3, 4) else None for send in sends]

    guards = [results_guard, ManySendGuard(approvals)]
    registry().release_guards.extend(guards)
    try:
        sends = [_send(1), _send(2, "results"), _send(3), _send(4), _send(5)]
        holds = send_holds(sends)
        assert {send_id: hold.reason for send_id, hold in holds.items()} == {
            2: "Databasens klocka har inte kunnat läsas.", 3: "väntar på godkännande", 4: "utkast"}
        assert asked_one == [1, 2, 3, 4, 5]
        assert asked_many == [[1, 3, 5]]  # once, and only about the sends no earlier guard held
        # Asked about one send, a guard that judges many judges a list of one: the same answers.
        assert send_hold(_send(3)).reason == "väntar på godkännande" and send_hold(_send(5)) is None
        assert send_hold(_send(2, "results")).reason == "Databasens klocka har inte kunnat läsas."
    finally:
        for guard in guards:
            registry().release_guards.remove(guard)
    assert send_holds([_send(3)]) == {}


def test_a_clock_that_cannot_be_trusted_holds_every_send_a_guard_judging_many_was_asked_about(app):
    def embargo(sends):
        raise ClockNotTrusted("Databasens klocka har inte kunnat läsas.")

    guard = ManySendGuard(embargo)
    registry().release_guards.append(guard)
    try:
        assert sorted(send_holds([_send(1), _send(2)])) == [1, 2]
    finally:
        registry().release_guards.remove(guard)


def test_recipient_guards_answer_for_every_send_of_a_claim_in_order(app):
    calls = []

    def entitlement(asked):
        calls.append(len(asked))
        return [{recipient: "inte beställt" for recipient in recipients if recipient.email.startswith("x")}
                for _send, recipients in asked]

    def suppressed(send, recipients):
        return {recipient: "spärrad" for recipient in recipients if recipient.email.endswith("spärr.se")}

    guards = [ManyRecipientGuard(entitlement), suppressed]
    registry().recipient_guards.extend(guards)
    try:
        a, x, s = Addressee("a@kommun.se", 1), Addressee("x@kommun.se", 2), Addressee("xs@spärr.se", 3)
        answers = refused_recipients_of([(_send(1), [a, x]), (_send(2), [a]), (_send(3), [s])])
        assert answers == [{x: "inte beställt"}, {}, {s: "inte beställt"}]  # the first guard's reason wins
        assert calls == [3]  # one question for the whole claim
        assert refused_recipients(_send(1), [a, x, s]) == {x: "inte beställt", s: "inte beställt"}
    finally:
        for guard in guards:
            registry().recipient_guards.remove(guard)
