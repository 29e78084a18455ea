"""`hti bounces receive` on real-format reports about mail really sent: hard and soft bounces, complaints,
automatic replies, forged tokens, reports hiding the recipient."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hti_comms.delivery.owner import Owner
from hti_comms import clock
from hti_comms.bounces.models import BounceReport, ReportKind
from hti_comms.subscribers.models import ConsentEvent, ConsentSource, Contact, ContactStatus

from .conftest import sample


def test_every_message_goes_out_with_a_verp_envelope_sender_that_names_its_outbox_row(app, sent):
    from hti_comms.delivery.verp import Verp

    senders = sent("eva@exempel.se", "olle@exempel.se")
    verp = Verp.from_config(app.config)
    assert senders["eva@exempel.se"] != senders["olle@exempel.se"]
    for address, sender in senders.items():
        assert sender.startswith("bounces+") and sender.endswith("@spfseniorerna.se")
        assert "exempel" not in sender  # no address in the token
        assert verp.outbox_id(sender) is not None
    outbox_id = verp.outbox_id(senders["eva@exempel.se"])
    assert verp.outbox_id(verp.token(outbox_id + 1)) == outbox_id + 1
    assert verp.outbox_id(verp.token(outbox_id)[:-1] + "a") in (None, outbox_id) and \
        verp.outbox_id(f"{outbox_id:x}-aaaaaaaaaaaaaaaa") is None


@pytest.mark.parametrize("name", ["postfix_hard.eml", "exim_hard.eml", "exchange_hard.eml", "gmail_hard.eml"])
def test_a_hard_bounce_suppresses_the_address_at_once(app, sent, receive, show, name):
    address = "borta@exempel-kommun.se"
    senders = sent(address, "kvar@exempel.se")
    result = receive(sample(name, verp=senders[address], rcpt=address))
    assert result.exit_code == 0, result.output
    assert f"hard_bounce {address}" in result.output
    state = show(address)
    assert state == {"email": address, "suppressed": True, "reason": "hard_bounce", "soft_bounces_30d": 0,
                     "lists": []}
    assert show("kvar@exempel.se")["lists"] == ["kurser", "nyhetsbrev"]


def test_a_report_hiding_the_recipient_is_matched_by_the_verp_token_alone(app, sent, receive, show):
    senders = sent("dold@exempel-kommun.se", "annan@exempel.se")
    result = receive(sample("hidden_recipient.eml", verp=senders["dold@exempel-kommun.se"]))
    assert "hard_bounce dold@exempel-kommun.se 5.1.1" in result.output
    assert show("dold@exempel-kommun.se")["reason"] == "hard_bounce"
    assert show("annan@exempel.se")["suppressed"] is False


def _soft(senders, address, when: datetime, n: int) -> bytes:
    from email.utils import format_datetime

    return sample("isp_soft.eml", verp=senders[address], rcpt=address, date=format_datetime(when), n=str(n))


def test_three_soft_bounces_on_different_days_within_30_days_suppress(app, sent, receive, show):
    address = "full@exempel-bredband.se"
    senders = sent(address)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    clock.set_now(start + timedelta(days=3))
    # Three on one afternoon (greylisting, a full mailbox for an hour): counted, not suppressed.
    result = receive(*(_soft(senders, address, start + timedelta(minutes=10 * n), n) for n in range(3)))
    assert result.output.count(": soft_bounce ") == 3 and "räknad (3 av 3" in result.output
    state = show(address)
    assert state["suppressed"] is False and state["soft_bounces_30d"] == 3
    # A fourth on another day: the mailbox has been failing for days.
    result = receive(_soft(senders, address, start + timedelta(days=2), 4))
    assert "spärrad efter 4 tillfälliga fel på 2 olika dagar" in result.output
    assert show(address)["reason"] == "soft_bounces"


def test_soft_bounces_older_than_30_days_do_not_count(app, sent, receive, show):
    address = "gammal@exempel-bredband.se"
    senders = sent(address)
    start = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
    clock.set_now(start + timedelta(days=60))
    receive(*(_soft(senders, address, start + timedelta(days=20 * n), n) for n in range(3)))
    state = show(address)
    # Three in 40 days: never three within 30, and only the newest is within the last 30 days.
    assert state["suppressed"] is False and state["soft_bounces_30d"] == 1


@pytest.mark.parametrize("name", ["arf_yahoo.eml", "arf_microsoft.eml"])
def test_a_complaint_unsubscribes_from_every_list_with_the_reports_date(app, db, sent, receive, show, name):
    address = "arg@exempel.se"
    senders = sent(address, "glad@exempel.se")
    result = receive(sample(name, verp=senders[address], rcpt=address))
    assert f"complaint {address} abuse" in result.output
    assert show(address) == {"email": address, "suppressed": True, "reason": "complaint", "soft_bounces_30d": 0,
                             "lists": []}
    contact = db.session.scalar(select(Contact).where(Contact.email == address))
    assert contact.status is ContactStatus.UNSUBSCRIBED and contact.subscriptions == []
    event = db.session.scalar(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id,
                                                         ConsentEvent.source == ConsentSource.FEEDBACK_REPORT))
    assert clock.to_stockholm(event.created_at).date().isoformat() == "2026-12-05"
    assert show("glad@exempel.se")["lists"] == ["kurser", "nyhetsbrev"]


@pytest.mark.parametrize("name", ["vacation_sv.eml", "vacation_en.eml"])
def test_vacation_replies_are_kept_for_staff_and_suppress_nothing(app, db, sent, receive, show, name):
    address = "ledig@exempel.se"
    senders = sent(address)
    result = receive(sample(name, verp=senders[address], rcpt=address))
    assert result.exit_code == 0 and "auto_reply" in result.output
    assert show(address)["suppressed"] is False
    report = db.session.scalar(select(BounceReport))
    assert report.kind is ReportKind.AUTO_REPLY and report.raw and report.email == address


def test_a_forged_token_is_ignored_logged_and_kept(app, db, sent, receive, show, caplog):
    address = "riktig@exempel.se"
    senders = sent(address)
    genuine = senders[address]
    local, _, domain = genuine.partition("@")
    forged = local[:-4] + ("aaaa" if not local.endswith("aaaa") else "bbbb") + "@" + domain
    result = receive(sample("forged.eml", forged=forged, rcpt=address))
    assert result.exit_code == 0 and "forged" in result.output
    assert show(address)["suppressed"] is False
    assert "forged" in caplog.text
    assert db.session.scalar(select(BounceReport)).raw is not None


def test_a_report_about_an_address_never_sent_to_is_ignored(app, db, sent, receive, show):
    sent("finns@exempel.se")
    result = receive(sample("postfix_hard.eml", verp="bounces@spfseniorerna.se", rcpt="okand@exempel.se"))
    assert "unknown_recipient okand@exempel.se" in result.output
    assert show("okand@exempel.se")["suppressed"] is False


def test_anything_not_understood_is_kept_and_the_same_message_counts_once(app, db, receive):
    raw = b"From: someone@example.se\r\nTo: bounces@spfseniorerna.se\r\nSubject: Fraga\r\n\r\nHej, en fraga.\r\n"
    result = receive(raw, raw)
    assert result.exit_code == 0
    assert result.output.count(": not_understood ") == 2 and "redan behandlat" in result.output
    assert len(db.session.scalars(select(BounceReport)).all()) == 1


def test_a_file_that_cannot_be_read_gives_exit_status_1_and_the_others_are_still_read(app, runner, tmp_path):
    good = tmp_path / "bra.eml"
    good.write_bytes(b"From: a@example.se\r\nSubject: x\r\n\r\nx\r\n")
    result = runner.invoke(args=["hti", "bounces", "receive", str(tmp_path / "saknas.eml"), str(good)])
    assert result.exit_code == 1
    assert "saknas.eml: kunde inte läsas" in result.output and "bra.eml: not_understood" in result.output


def test_standard_input_is_one_message(app, sent, runner, show):
    senders = sent("pipe@exempel.se")
    raw = sample("gmail_hard.eml", verp=senders["pipe@exempel.se"], rcpt="pipe@exempel.se")
    result = runner.invoke(args=["hti", "bounces", "receive"], input=raw)
    assert result.exit_code == 0 and result.output.startswith("stdin: hard_bounce pipe@exempel.se")
    assert show("pipe@exempel.se")["suppressed"] is True


def test_a_suppressed_address_gets_no_list_mail_but_still_gets_a_password_reset(app, db, sent, receive, mail_sink):
    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
    from hti_comms.delivery.services import messages_for
    from hti_comms.delivery.worker import deliver_due

    address = "borta@exempel-kommun.se"
    senders = sent(address)
    receive(sample("gmail_hard.eml", verp=senders[address], rcpt=address))
    mail_sink.clear()
    enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nästa nyhetsbrev", kind="test", list_key="nyhetsbrev",
                      context={"sent_by": "Karin", "note": ""}, reference="prov:2"), [Recipient(address)])
    enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Ny inloggningslänk", kind="test",
                      context={"sent_by": "Karin", "note": ""}), [Recipient(address)])
    db.session.commit()
    deliver_due()
    assert [m["Subject"] for m in mail_sink.wait_for(1)] == ["Ny inloggningslänk"]
    statuses = {m.subject: m.status.value for m in messages_for(address)}
    assert statuses["Nästa nyhetsbrev"] == "suppressed" and statuses["Ny inloggningslänk"] == "sent"


def test_a_delay_warning_is_no_failure_and_counts_nothing(app, sent, receive, show):
    from email.utils import format_datetime

    address = "sen@exempel-bredband.se"
    senders = sent(address)
    raw = sample("isp_soft.eml", verp=senders[address], rcpt=address, date=format_datetime(clock.now()), n="1")
    result = receive(raw.replace(b"Action: failed", b"Action: delayed"))
    assert f"notice {address} 4.2.2" in result.output
    assert show(address)["soft_bounces_30d"] == 0


def test_reports_read_together_are_acted_on_as_if_read_one_at_a_time(app, db, sent, receive, show):
    # One run, so one batch: a hard bounce then a complaint about the same address, complaints about two others
    # (one of them twice), and list mail still queued to a complainer.
    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
    from hti_comms.delivery.services import messages_for

    first, second, third = "forst@exempel.se", "andra@exempel.se", "tredje@exempel.se"
    senders = sent(first, second, third, "glad@exempel.se")
    spec = EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nästa nummer", kind="test",
                     list_key="kurser", context={"sent_by": "Karin", "note": ""}, reference="prov:2")
    enqueue(spec, [Recipient(second)])
    db.session.commit()
    complaint = sample("arf_yahoo.eml", verp=senders[second], rcpt=second)
    result = receive(sample("postfix_hard.eml", verp=senders[first], rcpt=first),
                     sample("arf_microsoft.eml", verp=senders[first], rcpt=first),
                     complaint, sample("arf_microsoft.eml", verp=senders[third], rcpt=third), complaint)
    assert result.exit_code == 0
    assert result.output.count(f"complaint {second} abuse") == 2 and result.output.count("(redan behandlat)") == 1
    # The first report about an address gives the suppression its reason; the complaint still unsubscribes.
    assert show(first)["reason"] == "hard_bounce" and show(first)["lists"] == []
    for address in (second, third):
        assert show(address) == {"email": address, "suppressed": True, "reason": "complaint", "soft_bounces_30d": 0,
                                 "lists": []}
    contacts = {c.email: c for c in db.session.scalars(select(Contact).where(Contact.email.in_((first, second, third))))}
    for address, contact in contacts.items():
        assert contact.status is ContactStatus.UNSUBSCRIBED and contact.subscriptions == []
        events = db.session.scalars(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id,
                                                                ConsentEvent.source == ConsentSource.FEEDBACK_REPORT)).all()
        assert len(events) == 1 and events[0].list_keys == [], address  # the repeated report counted once
    assert [m.status.value for m in messages_for(second) if m.subject == "Nästa nummer"] == ["cancelled"]
    assert show("glad@exempel.se")["lists"] == ["kurser", "nyhetsbrev"]
    assert len(db.session.scalars(select(BounceReport)).all()) == 4
