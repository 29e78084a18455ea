"""The bounce inbox's spool: a report answered 250 is on disk, processed after a crash, acted on once, and a
message or spool file that cannot be processed is kept for staff without holding up the others."""
from __future__ import annotations

import shutil
import smtplib
import sqlite3
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hti_comms.bounces.inbox import BounceInbox
from hti_comms.bounces.models import BounceReport, ReportKind
from hti_comms.bounces.services import Incoming
from hti_comms.bounces.spool import MAGIC, Spool
from hti_comms.delivery.services import is_suppressed
from hti_comms.delivery.sink import free_port
from tests.processes import FlaskProcess, wait_until

from .conftest import sample


def _suppressed(db, address: str) -> bool:
    db.session.rollback()  # see what the inbox committed
    return is_suppressed(address)


def _reports(db, **where) -> list[BounceReport]:
    db.session.rollback()
    return list(db.session.scalars(select(BounceReport).filter_by(**where)))


@contextmanager
def database_locked(app):
    """Hold a lock that stops the inbox from committing (as a database busy or away would), until the block ends."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")  # WAL: readers go on, no other writer commits
    else:
        connection = psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
        connection.execute("LOCK TABLE bounce_report IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        connection.rollback()
        connection.close()


def _inbox_process(app, tmp_path, name: str, port: int) -> FlaskProcess:
    process = FlaskProcess(["hti", "bounce-inbox", "--port", str(port)], app.config["SQLALCHEMY_DATABASE_URI"],
                           tmp_path / f"{name}.log", BOUNCE_SPOOL_DIR=tmp_path / "spool")
    wait_until(lambda: "tar emot" in process.output or process.process.poll() is not None, message="the inbox")
    assert process.process.poll() is None, process.output
    return process


@pytest.mark.slow
def test_a_report_accepted_and_the_inbox_killed_before_processing_is_processed_after_restart(app, db, sent, tmp_path):
    address = "borta@exempel-kommun.se"
    senders = sent(address)
    port = free_port()
    first = _inbox_process(app, tmp_path, "first", port)
    try:
        with database_locked(app):
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                refused = smtp.sendmail("", [senders[address]], sample("gmail_hard.eml", verp=senders[address],
                                                                       rcpt=address))
            assert refused == {}  # answered 250: the relay forgets the message
            assert len(list((tmp_path / "spool" / "new").iterdir())) == 1
            first.kill9()
        assert not _suppressed(db, address)
    finally:
        if first.process.poll() is None:
            first.kill9()

    second = _inbox_process(app, tmp_path, "second", port)
    try:
        wait_until(lambda: _suppressed(db, address), message="the suppression")
        wait_until(lambda: not list((tmp_path / "spool" / "new").iterdir()), message="an empty spool")
    finally:
        assert second.stop() == 0, second.output
    assert [(r.kind, r.source) for r in _reports(db, email=address)] == [(ReportKind.HARD_BOUNCE, "smtp")]


def test_a_spool_file_left_after_its_commit_is_not_acted_on_twice(app, db, sent, tmp_path):
    address = "borta@exempel-kommun.se"
    senders = sent(address)
    spool = Spool(tmp_path / "spool").open()
    left = spool.write([Incoming(sample("postfix_hard.eml", verp=senders[address], rcpt=address),
                                 (senders[address],))])
    copy = shutil.copy(left, tmp_path / "copy.spool")
    spool.close()

    inbox = BounceInbox(app, spool_dir=tmp_path / "spool").start()  # processes what it finds at start
    try:
        wait_until(lambda: _suppressed(db, address), message="the suppression")
        wait_until(lambda: not spool.waiting(), message="an empty spool")
    finally:
        inbox.stop()
    first_report = _reports(db, email=address)
    # The process died after the commit, before the file was removed: the next start finds it again.
    shutil.copy(copy, left)
    inbox = BounceInbox(app, spool_dir=tmp_path / "spool").start()
    try:
        wait_until(lambda: not spool.waiting(), message="an empty spool")
    finally:
        inbox.stop()
    reports = _reports(db, email=address)
    assert [(r.id, r.kind) for r in reports] == [(first_report[0].id, ReportKind.HARD_BOUNCE)]


def test_a_malformed_message_and_a_damaged_spool_file_are_kept_for_staff_and_hold_up_nothing(app, db, sent, tmp_path):
    gone, other = "borta@exempel-kommun.se", "annan@exempel-kommun.se"
    senders = sent(gone, other)
    damaged = MAGIC + b'{"to": [], "size": 5000}\nOnly part of a message'
    (tmp_path / "spool" / "new").mkdir(parents=True)
    (tmp_path / "spool" / "new" / "00000000000000000001-1-0.spool").write_bytes(damaged)
    garbage = b"\xff\xfe\x00\x01 no headers at all \x00\r\n\r\n--boundary\r\nContent-Type: multipart/report\r\n"

    inbox = BounceInbox(app, spool_dir=tmp_path / "spool").start()
    try:
        with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as smtp:
            assert smtp.sendmail("", [senders[other]], garbage) == {}
            assert smtp.sendmail("", [senders[gone]], sample("exim_hard.eml", verp=senders[gone], rcpt=gone)) == {}
        wait_until(lambda: _suppressed(db, gone), message="the suppression after the malformed ones")
        wait_until(lambda: not inbox.spool.waiting(), message="an empty spool")
    finally:
        inbox.stop()
    kept = {bytes(r.raw): r.kind for r in _reports(db) if r.raw is not None}
    assert kept == {garbage: ReportKind.NOT_UNDERSTOOD, damaged: ReportKind.NOT_UNDERSTOOD}
    assert not _suppressed(db, other)
    assert db.session.scalar(select(func.count()).select_from(BounceReport)) == 3
