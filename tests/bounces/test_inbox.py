"""`hti bounce-inbox`: the SMTP server the relay forwards the bounce domain to."""
from __future__ import annotations

import smtplib
import threading
import time

import pytest

from hti_comms.bounces.inbox import BounceInbox
from hti_comms.bounces.spool import SpoolBusy
from hti_comms.delivery.services import is_suppressed

from .conftest import sample


@pytest.fixture
def inbox(app, tmp_path):
    server = BounceInbox(app, spool_dir=tmp_path / "spool").start()
    yield server
    server.stop()


def _wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the state did not come within the deadline")
        time.sleep(0.02)


def test_the_inbox_accepts_only_bounce_addresses_and_processes_what_it_gets(app, db, sent, inbox, show):
    address = "borta@exempel-kommun.se"
    senders = sent(address)
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as smtp:
        refused = smtp.sendmail("", ["karin@spfseniorerna.se", senders[address]],
                                sample("gmail_hard.eml", verp=senders[address], rcpt=address))
    assert list(refused) == ["karin@spfseniorerna.se"] and refused["karin@spfseniorerna.se"][0] == 550

    def suppressed() -> bool:
        db.session.rollback()  # see what the inbox's thread committed
        return is_suppressed(address)
    _wait_until(suppressed)
    assert show(address)["reason"] == "hard_bounce"


def test_the_inbox_refuses_a_message_to_no_bounce_address(app, inbox):
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("", ["bounces@annan-doman.se"], b"Subject: x\r\n\r\nx\r\n")


def test_a_second_inbox_on_the_same_spool_is_refused_and_one_on_a_taken_port_says_so(app, inbox, tmp_path):
    with pytest.raises(SpoolBusy):
        BounceInbox(app, spool_dir=tmp_path / "spool").start()
    taken = BounceInbox(app, spool_dir=tmp_path / "other-spool", port=inbox.port)
    with pytest.raises(OSError, match="could not listen"):
        taken.start()
    # Nothing of it is left running: its spool is free again.
    BounceInbox(app, spool_dir=tmp_path / "other-spool").start().stop()


def test_when_the_smtp_process_dies_the_inbox_says_so_and_stops_cleanly(app, tmp_path):
    told = threading.Event()
    server = BounceInbox(app, spool_dir=tmp_path / "spool").start(ended=told)
    try:
        assert not server.smtp_ended.is_set()
        server.acceptor.process.kill()
        assert told.wait(timeout=20) and server.smtp_ended.is_set()
    finally:
        server.stop()
    # Its spool is free again: nothing of it is left running. A stop asked for is no death.
    again = BounceInbox(app, spool_dir=tmp_path / "spool").start()
    again.stop()
    assert not again.smtp_ended.is_set()
