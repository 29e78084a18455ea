"""`hti bounces poll` against a real IMAP server (dovecot, started by the test)."""
from __future__ import annotations

import imaplib
import shutil
import tempfile
from pathlib import Path

import pytest

from .conftest import sample
from .dovecot import PASSWORD, USER, start_dovecot


@pytest.fixture
def imap_server(app):
    # Not under pytest's tmp_path: as root, dovecot's unprivileged processes could not reach into its 0700 parent.
    root = Path(tempfile.mkdtemp(prefix="hti-dovecot-"))
    process, port = start_dovecot(root)
    app.config.update(BOUNCE_IMAP_HOST="127.0.0.1", BOUNCE_IMAP_PORT=port, BOUNCE_IMAP_SECURITY="none",
                      BOUNCE_IMAP_USER=USER, BOUNCE_IMAP_PASSWORD=PASSWORD, BOUNCE_IMAP_FOLDER="INBOX",
                      BOUNCE_IMAP_DONE_FOLDER="Behandlade")
    yield port
    process.terminate()
    process.wait(timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def _mailbox(port: int) -> imaplib.IMAP4:
    connection = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    connection.login(USER, PASSWORD)
    return connection


def _count(connection: imaplib.IMAP4, folder: str) -> int:
    status, data = connection.select(folder, readonly=True)
    assert status == "OK", data
    return int(data[0])


def test_poll_processes_the_mailbox_and_moves_what_it_read(app, sent, runner, show, imap_server):
    senders = sent("borta@exempel-kommun.se", "ledig@exempel.se")
    connection = _mailbox(imap_server)
    for raw in (sample("postfix_hard.eml", verp=senders["borta@exempel-kommun.se"], rcpt="borta@exempel-kommun.se"),
                sample("vacation_sv.eml", verp=senders["ledig@exempel.se"], rcpt="ledig@exempel.se")):
        assert connection.append("INBOX", None, None, raw)[0] == "OK"
    result = runner.invoke(args=["hti", "bounces", "poll"])
    assert result.exit_code == 0, result.output
    assert "hard_bounce borta@exempel-kommun.se 5.1.1" in result.output and "auto_reply ledig@exempel.se" in result.output
    assert "2 brev lästa." in result.output
    assert show("borta@exempel-kommun.se")["reason"] == "hard_bounce"
    assert show("ledig@exempel.se")["suppressed"] is False
    # Nothing deleted: both moved to the done folder, the inbox is empty, and a second poll finds nothing.
    assert _count(connection, "INBOX") == 0 and _count(connection, "Behandlade") == 2
    connection.logout()
    again = runner.invoke(args=["hti", "bounces", "poll"])
    assert again.exit_code == 0 and "0 brev lästa." in again.output


def test_a_message_that_cannot_be_processed_stays_in_the_mailbox(app, imap_server):
    from hti_comms.bounces.imap import poll

    connection = _mailbox(imap_server)
    connection.append("INBOX", None, None, b"From: a@example.se\r\nSubject: x\r\n\r\nx\r\n")

    def broken(messages, source):
        raise RuntimeError("the database is away")

    lines = poll(app.config, process=broken)
    assert lines == ["imap 1: kunde inte behandlas, ligger kvar"]
    assert _count(connection, "INBOX") == 1
    connection.logout()


def test_many_messages_are_read_in_chunks_and_one_that_breaks_its_batch_stays_alone(app, db, sent, runner, show,
                                                                                     imap_server, monkeypatch):
    from hti_comms.bounces import imap
    from hti_comms.bounces.models import BounceReport
    from hti_comms.bounces.services import process_many
    from sqlalchemy import func, select

    addresses = [f"borta{n}@exempel-kommun.se" for n in range(7)]
    senders = sent(*addresses)
    connection = _mailbox(imap_server)
    for address in addresses:
        assert connection.append("INBOX", None, None, sample("postfix_hard.eml", verp=senders[address],
                                                              rcpt=address))[0] == "OK"
    monkeypatch.setattr(imap, "FETCH_CHUNK", 3)  # three FETCHes, the last one short
    broken = addresses[4]
    batches = []

    def process(messages, source):
        batches.append(len(messages))
        if any(broken.encode() in message.raw for message in messages):
            raise RuntimeError("this message breaks the processor")
        return process_many(messages, source=source)

    lines = imap.poll(app.config, process=process)
    # One batch of seven fails and saves nothing; then each on its own: six processed, the broken one stays.
    assert batches == [7] + [1] * 7
    assert lines[4] == "imap 5: kunde inte behandlas, ligger kvar"
    assert sum("hard_bounce" in line for line in lines) == 6
    assert db.session.scalar(select(func.count()).select_from(BounceReport)) == 6
    assert show(broken)["suppressed"] is False and show(addresses[5])["reason"] == "hard_bounce"
    assert _count(connection, "INBOX") == 1 and _count(connection, "Behandlade") == 6
    # The next poll (the processor mended) reads only the one left.
    result = runner.invoke(args=["hti", "bounces", "poll"])
    assert result.exit_code == 0 and "1 brev lästa." in result.output
    assert show(broken)["reason"] == "hard_bounce"
    assert _count(connection, "INBOX") == 0 and _count(connection, "Behandlade") == 7
    connection.logout()


def test_a_message_processed_but_not_moved_counts_once_and_is_moved(app, db, sent, receive, runner, imap_server):
    # As when a poll stopped between its commit and the move: the message is still in the mailbox.
    from hti_comms.bounces.models import BounceReport
    from sqlalchemy import func, select

    senders = sent("borta@exempel-kommun.se")
    raw = sample("postfix_hard.eml", verp=senders["borta@exempel-kommun.se"], rcpt="borta@exempel-kommun.se")
    assert receive(raw).exit_code == 0
    connection = _mailbox(imap_server)
    connection.append("INBOX", None, None, raw)
    result = runner.invoke(args=["hti", "bounces", "poll"])
    assert result.exit_code == 0 and "(redan behandlat)" in result.output
    assert db.session.scalar(select(func.count()).select_from(BounceReport)) == 1
    assert _count(connection, "INBOX") == 0 and _count(connection, "Behandlade") == 1
    connection.logout()


def test_uid_sets_write_runs_as_ranges():
    from hti_comms.bounces.imap import uid_set

    assert uid_set([b"9", b"3", b"4", b"5", b"7", b"11", b"12"]) == "3:5,7,9,11:12"
    assert uid_set([b"1"]) == "1" and uid_set([]) == ""


def test_poll_without_settings_says_what_to_set(app, runner):
    app.config["BOUNCE_IMAP_HOST"] = None
    result = runner.invoke(args=["hti", "bounces", "poll"])
    assert result.exit_code == 1 and "BOUNCE_IMAP_HOST" in result.output


def test_the_scheduler_reads_the_mailbox_when_one_is_set(app, sent, show, imap_server):
    from hti_comms.scheduling.sweeps import load_sweeps, run_sweep

    address = "borta@exempel-kommun.se"
    senders = sent(address)
    connection = _mailbox(imap_server)
    assert connection.append("INBOX", None, None, sample("exim_hard.eml", verp=senders[address], rcpt=address))[0] == "OK"
    assert load_sweeps(app)["bounces.imap_poll"].every_seconds == 60
    assert run_sweep("bounces.imap_poll")
    assert show(address)["reason"] == "hard_bounce"
    assert _count(connection, "INBOX") == 0 and _count(connection, "Behandlade") == 1
    connection.logout()


def test_without_a_mailbox_the_scheduler_reads_nothing(app):
    from hti_comms.bounces.sweeps import imap_poll
    from hti_comms.scheduling.sweeps import run_sweep

    assert app.config["BOUNCE_IMAP_HOST"] is None
    assert run_sweep("bounces.imap_poll")
    assert imap_poll() is None
