"""A relay of our own for each fault real relays have, and what each costs: delivered, unknown, re-sent, duplicated.

Before the final dot is handed over, the server cannot have kept the message: it is sent again. After it, whatever
happens to the connection (a reset, a close, no reply), the server may have kept it: the outcome is unknown, the
message is never sent again by itself, a few in a row pause the send, and staff decide for all of them at once.
"""
from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.outbox import Attachment
from hti_comms.delivery.pool import UNKNOWNS_TO_TRIP
from hti_comms.delivery.services import DeliveryError, resume_send
from hti_comms.delivery.unknowns import Decision, resolve_unknowns, send_status_text
from hti_comms.delivery.worker import deliver_due
from tests.helpers import form_csrf_token

from .helpers import enqueue_people, sample_spec
from .relay import AFTER_THE_DOT, BEFORE_THE_DOT, REFUSED_AFTER_THE_DOT, Relay, large_message_size

POOL_SIZE = 2
#: Every phase waits this long, except the one a stall is in, which waits SHORT: if the wrong phase's timeout
#: applied, the stall would end (after STALL_SECONDS) with the relay's 250 and the message would count as sent.
LONG, SHORT = 10.0, 0.3
STALLED_PHASE = {"stall-greeting": "SMTP_GREETING_TIMEOUT", "stall-rcpt": "SMTP_COMMAND_TIMEOUT",
                 "stall-during-data": "SMTP_DATA_TIMEOUT", "stall-after-dot": "SMTP_FINAL_REPLY_TIMEOUT"}
#: Faults that need a message too large to be handed over before the relay acts.
LARGE = ("reset-during-data", "stall-during-data")


@pytest.fixture
def relay(app, request):
    fault = request.param
    relay = Relay(fault)
    timeouts = {key: LONG for key in ("SMTP_CONNECT_TIMEOUT", "SMTP_GREETING_TIMEOUT", "SMTP_COMMAND_TIMEOUT",
                                      "SMTP_DATA_TIMEOUT", "SMTP_FINAL_REPLY_TIMEOUT")}
    if fault in STALLED_PHASE:
        timeouts[STALLED_PHASE[fault]] = SHORT
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=relay.port, SMTP_SECURITY="none", SMTP_POOL_SIZE=POOL_SIZE,
                      **timeouts)
    yield relay
    relay.stop()


def rows(send_id: int) -> list[OutboxMessage]:
    from hti_comms.extensions import db

    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.send_id == send_id)))


def large_spec():
    payload = os.urandom(large_message_size())
    return sample_spec(attachments=(Attachment("rapport.pdf", "application/pdf", payload),))


def run_through(db, relay: Relay, people: int, spec=None) -> dict:
    """Send to `people` through the faulty relay; fix it, press Fortsätt if the engine paused the send, let due
    retries go; return what it cost."""
    send_id = enqueue_people(people, spec)
    deliver_due()
    before = rows(send_id)
    first = Counter(row.status for row in before)
    first_errors = {row.id: row.last_error for row in before if row.last_error}
    send = db.session.get(Send, send_id)
    paused_by_engine = send.is_flagged
    pause_reason = send.pause_reason
    relay.fault = None       # the relay is fixed
    relay.release.set()
    if paused_by_engine:
        resume_send(send_id)  # "Fortsätt": every waiting row is due at once
    else:
        clock.set_now(clock.now() + timedelta(hours=7))  # every retry is due
    deliver_due()
    final = rows(send_id)
    return {"send_id": send_id, "first": first, "first_errors": first_errors, "paused": paused_by_engine, "pause_reason": pause_reason,
            "delivered": relay.delivered, "unknown": sum(r.status is OutboxStatus.UNKNOWN for r in final),
            # A message tried, failed with a fault recorded, and sent later.
            "resent": sum(r.status is OutboxStatus.SENT and r.id in first_errors for r in final),
            "duplicated": relay.duplicated, "sent": sum(r.status is OutboxStatus.SENT for r in final)}


@pytest.mark.parametrize("relay", [f for f in BEFORE_THE_DOT + REFUSED_AFTER_THE_DOT if f not in LARGE], indirect=True)
def test_a_fault_before_the_server_has_the_message_is_retried_and_nobody_gets_it_twice(app, db, relay):
    people = 20 if relay.fault not in STALLED_PHASE else 6
    cost = run_through(db, relay, people)
    assert cost["first"][OutboxStatus.SENT] == 0 and cost["first"][OutboxStatus.UNKNOWN] == 0
    assert cost["first_errors"] and all(error.startswith(("Kunde inte skicka", "421"))
                                        for error in cost["first_errors"].values())
    # Every one of them reached the relay once in the end; those that had met the fault were sent again.
    assert (cost["delivered"], cost["unknown"], cost["duplicated"]) == (people, 0, 0)
    assert cost["resent"] == len(cost["first_errors"])


@pytest.mark.parametrize("relay", LARGE, indirect=True)
def test_a_reset_or_stall_while_the_message_is_handed_over_is_retried(app, db, relay):
    cost = run_through(db, relay, 3, large_spec())
    assert cost["first"] == {OutboxStatus.DEFERRED: 3}
    assert (cost["delivered"], cost["unknown"], cost["resent"], cost["duplicated"]) == (3, 0, 3, 0)
    assert len(cost["first_errors"]) == 3
    assert all(error.startswith("Kunde inte skicka") and "medan brevet lämnades över" in error
               for error in cost["first_errors"].values())


@pytest.mark.parametrize("relay", AFTER_THE_DOT, indirect=True)
def test_a_fault_after_the_final_dot_is_unknown_pauses_the_send_and_is_never_sent_twice(app, db, relay):
    people = 20
    cost = run_through(db, relay, people)
    unknown = cost["first"][OutboxStatus.UNKNOWN]
    # A few in a row pause the send: not the whole send left undecided.
    assert UNKNOWNS_TO_TRIP <= unknown <= UNKNOWNS_TO_TRIP + POOL_SIZE - 1
    assert cost["first"][OutboxStatus.DEFERRED] == 0 and cost["first"][OutboxStatus.SENT] == 0
    assert cost["paused"] and "Vi vet inte om de breven kom fram" in cost["pause_reason"]
    # The relay kept every one of them; "Fortsätt" sent only the others.
    assert (cost["delivered"], cost["unknown"], cost["resent"], cost["duplicated"]) == (people, unknown, 0, 0)
    assert cost["sent"] == people - unknown
    assert db.session.get(Send, cost["send_id"]).status is SendStatus.DONE
    assert send_status_text(cost["send_id"]) == f"Klart – {unknown} med okänt utfall"

    assert resolve_unknowns(cost["send_id"], Decision.COUNT_AS_SENT, expected=unknown) == unknown
    assert send_status_text(cost["send_id"]) == "Klart"
    assert deliver_due() == 0 and relay.duplicated == 0


@pytest.mark.parametrize("relay", ["stall-after-dot"], indirect=True)
def test_each_unknown_message_states_the_phase_and_its_timeout(app, db, relay):
    enqueue_people(1)
    deliver_due()
    (row,) = rows(db.session.scalar(select(Send.id)))
    assert row.status is OutboxStatus.UNKNOWN
    assert "svarade inte inom 0,3 s medan vi väntade på serverns svar efter brevets sista rad" in row.last_error


@pytest.mark.parametrize("relay", ["reset-after-dot"], indirect=True)
def test_sending_the_unknown_ones_again_duplicates_exactly_as_the_page_warns(app, db, staff_login, relay):
    send_id = enqueue_people(10, sample_spec(subject="Kursinbjudan"))
    deliver_due()
    unknown = sum(r.status is OutboxStatus.UNKNOWN for r in rows(send_id))
    assert unknown >= UNKNOWNS_TO_TRIP
    page = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
    assert f"Pausat – {unknown} med okänt utfall" in page and f"{unknown} brev med okänt utfall" in page
    assert "Vi vet inte om de breven kom fram" in page

    relay.fault = None
    token = form_csrf_token(staff_login, f"/admin/utkorg/{send_id}")
    confirm = staff_login.get(f"/admin/utkorg/{send_id}/fortsatt").get_data(as_text=True)
    assert f"{unknown} personer med okänt utfall får inget nu" in confirm
    staff_login.post(f"/admin/utkorg/{send_id}/fortsatt", data={"csrf_token": token, "confirmed": "1"})
    deliver_due()
    assert relay.duplicated == 0 and relay.delivered == 10
    page = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
    assert f"Klart – {unknown} med okänt utfall" in page
    assert staff_login.get(f"/admin/utkorg/{send_id}/status.json").json["status_label"] == \
        f"Klart – {unknown} med okänt utfall"

    confirm = staff_login.get(f"/admin/utkorg/{send_id}/okant-utfall/skicka-igen").get_data(as_text=True)
    assert f"<h1>Skicka brevet igen till {unknown} personer?</h1>" in confirm
    assert "Den som redan fick det första får det två gånger" in confirm
    assert deliver_due() == 0  # asking sends nothing
    page = staff_login.post(f"/admin/utkorg/{send_id}/okant-utfall/skicka-igen",
                            data={"csrf_token": token, "confirmed": "1", "antal": str(unknown)},
                            follow_redirects=True).get_data(as_text=True)
    assert f"{unknown} brev skickas igen" in page
    assert deliver_due() == unknown
    # They had it already (the relay kept them before it reset): exactly the duplicates the page warned of.
    assert (relay.delivered, relay.duplicated) == (10, unknown)
    assert send_status_text(send_id) == "Klart"


@pytest.mark.parametrize("relay", ["close-after-dot"], indirect=True)
def test_a_decision_about_other_messages_than_those_shown_changes_nothing(app, db, relay):
    send_id = enqueue_people(5)
    deliver_due()
    unknown = sum(r.status is OutboxStatus.UNKNOWN for r in rows(send_id))
    with pytest.raises(DeliveryError, match=f"ändrats från {unknown - 1} till {unknown}"):
        resolve_unknowns(send_id, Decision.COUNT_AS_SENT, expected=unknown - 1)
    assert sum(r.status is OutboxStatus.UNKNOWN for r in rows(send_id)) == unknown


@pytest.mark.parametrize("relay", ["close-after-dot"], indirect=True)
def test_the_command_line_lists_and_decides_for_all_unknown_messages(app, db, runner, relay):
    send_id = enqueue_people(6)
    deliver_due()
    unknown = sum(r.status is OutboxStatus.UNKNOWN for r in rows(send_id))
    listing = runner.invoke(args=["hti", "unknown-outcome"])
    assert f"Utskick {send_id}: {unknown} brev med okänt utfall – Provbrev" in listing.output
    shown = runner.invoke(args=["hti", "unknown-outcome", str(send_id)])
    assert shown.exit_code == 0 and "Person 0 <person0@example.se>" in shown.output and "--send-again" in shown.output
    assert sum(r.status is OutboxStatus.UNKNOWN for r in rows(send_id)) == unknown  # looking changes nothing
    declined = runner.invoke(args=["hti", "unknown-outcome", str(send_id), "--count-as-sent"], input="n\n")
    assert "Inget ändrades" in declined.output
    decided = runner.invoke(args=["hti", "unknown-outcome", str(send_id), "--count-as-sent", "--yes"])
    assert decided.exit_code == 0 and f"{unknown} brev räknas som skickade" in decided.output
    assert sum(r.status is OutboxStatus.UNKNOWN for r in rows(send_id)) == 0
    again = runner.invoke(args=["hti", "unknown-outcome", str(send_id), "--send-again", "--yes"])
    assert again.exit_code == 1 and "har inga brev med okänt utfall" in again.output
