"""Benchmark: 10,000 mixed reports (hard and soft bounces, complaints, vacation replies, forged and unreadable
ones) through `hti bounces receive`, the bounce inbox (SMTP) and `hti bounces poll` (IMAP, a dovecot of its own
as in tests/bounces/dovecot.py; `make imap` installs it); target 10,000 in < 10 s each.

Run: .venv/bin/python bench/bounces.py [--database-url postgresql://postgres@127.0.0.1:5432/test] [--reports N]
     [--ways receive,inbox,imap]
Without --database-url it uses fresh SQLite files. With a PostgreSQL URL it creates and drops its own databases.
Each way in gets a database of its own with the same 10,000 messages sent.
"""
from __future__ import annotations

import argparse
import imaplib
import shutil
import smtplib
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.contacts import database  # noqa: E402
from hti_comms.delivery.owner import Owner
from hti_comms import clock, create_app  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "bounces" / "samples"
#: Of every 20 reports: 11 hard bounces in four formats, 4 soft, 1 complaint, 2 vacation replies, 1 forged, 1 unreadable.
MIX = ["postfix_hard.eml", "exim_hard.eml", "exchange_hard.eml", "gmail_hard.eml"] * 2 + [
    "postfix_hard.eml", "gmail_hard.eml", "exchange_hard.eml", "isp_soft.eml", "isp_soft.eml", "isp_soft.eml",
    "isp_soft.eml", "arf_yahoo.eml", "vacation_sv.eml", "vacation_en.eml", "forged.eml", "nonsense"]
SUPPRESSING = {"postfix_hard.eml", "exim_hard.eml", "exchange_hard.eml", "gmail_hard.eml", "arf_yahoo.eml"}


def _forged(verp: str) -> str:
    """Return the VERP address with its signature changed: what someone making up a report would write."""
    local, _, domain = verp.partition("@")
    return local[:-4] + ("aaaa" if not local.endswith("aaaa") else "bbbb") + "@" + domain


def _report(name: str, verp: str, rcpt: str, n: int) -> bytes:
    if name == "nonsense":
        return f"From: someone{n}@example.se\r\nSubject: Fraga {n}\r\n\r\nHej!\r\n".encode()
    text = (SAMPLES / name).read_text("utf-8")
    values = {"verp": verp, "rcpt": rcpt, "n": str(n), "date": format_datetime(clock.now()), "forged": _forged(verp)}
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode("utf-8")


def prepare(url: str, count: int):
    """Migrate, send (enqueue) one list message to `count` addresses; return the app and the reports."""
    from flask_migrate import upgrade

    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
    from hti_comms.delivery.verp import Verp
    from hti_comms.extensions import db
    from hti_comms.geo.services import load_reference_data
    from hti_comms.subscribers.directory import ContactDetails, add_contact
    from hti_comms.subscribers.models import LegalBasis
    from hti_comms.subscribers.services import ensure_default_lists

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": url, "BASE_URL": "https://hti.spfseniorerna.se"})
    with app.app_context():
        upgrade()
        load_reference_data()
        ensure_default_lists()
        addresses = [f"person{n}@exempel{n % 97}.se" for n in range(count)]
        for n in range(0, count, len(MIX)):  # the complaining people are contacts on two lists
            if n + MIX.index("arf_yahoo.eml") < count:
                add_contact(ContactDetails(addresses[n + MIX.index("arf_yahoo.eml")], "Person", "",
                                           ["nyhetsbrev", "kurser"]), LegalBasis.CONSENT_GIVEN, None, actor="bench")
        spec = EmailSpec(owner=Owner("bench", "list-mail"), template="delivery/test", subject="Nyhetsbrev", kind="test", list_key="nyhetsbrev",
                         context={"sent_by": "bench", "note": ""}, reference="bench:1")
        enqueue(spec, [Recipient(a) for a in addresses])
        db.session.commit()
        from hti_comms.delivery.returns import sent_to  # noqa: F401 - the outbox rows' ids, in order
        from hti_comms.delivery.models import OutboxMessage

        ids = dict(db.session.execute(select(OutboxMessage.email, OutboxMessage.id)).all())
        verp = Verp.from_config(app.config)
        # The envelope recipient each report arrives for at the inbox (a forged one, for a made-up report).
        senders = [_forged(verp.envelope_sender(ids[a])) if MIX[n % len(MIX)] == "forged.eml"
                   else verp.envelope_sender(ids[a]) for n, a in enumerate(addresses)]
        reports = [_report(MIX[n % len(MIX)], verp.envelope_sender(ids[a]), a, n) for n, a in enumerate(addresses)]
        expected = sum(1 for n in range(count) if MIX[n % len(MIX)] in SUPPRESSING)
    return app, reports, senders, expected


def suppressed_count(app) -> int:
    from hti_comms.delivery.models import Suppression
    from hti_comms.extensions import db

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Suppression))
        db.session.remove()
        return count


def through_receive(app, reports: list[bytes]) -> float:
    folder = Path(tempfile.mkdtemp())
    names = []
    for n, raw in enumerate(reports):
        path = folder / f"{n}.eml"
        path.write_bytes(raw)
        names.append(str(path))
    started, cpu = time.perf_counter(), time.process_time()
    result = app.test_cli_runner().invoke(args=["hti", "bounces", "receive", *names])
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output[-2000:]
    print(f"  (this process used {time.process_time() - cpu:.2f} s of CPU for it)")
    return seconds


def _relay(port: int, items: list[tuple[str, bytes]], connections: int) -> None:
    """Send (envelope recipient, message) pairs over `connections` SMTP connections: the relay's side."""
    def deliver(part: int) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=300) as smtp:
            for recipient, raw in items[part::connections]:
                smtp.sendmail("", [recipient], raw)

    threads = [threading.Thread(target=deliver, args=(part,)) for part in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def through_inbox(app, reports: list[bytes], senders: list[str], expected: int, relays: int = 4,
                  connections: int = 4) -> float:
    """Send every report to the inbox by SMTP (to the message's VERP address, as a relay forwards it), from
    `relays` processes of their own with `connections` each, so the relay's work is not counted as the inbox's.
    Return the seconds until the last suppression is committed (the inbox answers once a report is spooled)."""
    from concurrent.futures import ProcessPoolExecutor

    from hti_comms.bounces.inbox import BounceInbox

    spool = Path(tempfile.mkdtemp(prefix="hti-bounce-spool-"))
    inbox = BounceInbox(app, spool_dir=spool).start()
    items = list(zip(senders, reports))
    try:
        children_before = _children_cpu()
        with ProcessPoolExecutor(relays) as pool:
            started, cpu = time.perf_counter(), time.process_time()
            for done in [pool.submit(_relay, inbox.port, items[n::relays], connections) for n in range(relays)]:
                done.result()
            accepted = time.perf_counter() - started
            while suppressed_count(app) < expected:  # a bench may poll: it measures when the state arrives
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            processing_cpu = time.process_time() - cpu
        relays_cpu = _children_cpu() - children_before  # the pool's processes, ended with the block
    finally:
        inbox.stop()
        shutil.rmtree(spool, ignore_errors=True)  # what was accepted after the last suppression, if any
    # The inbox's SMTP process (ended by stop) is a child of this process too.
    smtp_cpu = _children_cpu() - children_before - relays_cpu
    print(f"  (every report accepted, i.e. spooled, after {accepted:.2f} s; CPU used: the inbox's processing "
          f"(this process) {processing_cpu:.2f} s, its SMTP process {smtp_cpu:.2f} s, the relays {relays_cpu:.2f} s)")
    return seconds


def _children_cpu() -> float:
    """Return the CPU seconds of this process's ended and waited-for child processes."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def through_imap(app, reports: list[bytes]) -> float | None:
    """Deliver every report into a dovecot mailbox (as a delivery agent does: a file in the Maildir's new/),
    then time one `hti bounces poll` reading them all. None when dovecot is missing."""
    import os
    import shutil

    from tests.bounces.dovecot import DOVECOT, PASSWORD, USER, start_dovecot

    if not Path(DOVECOT).exists():
        print("  (no dovecot: the IMAP way is skipped; `make imap` installs it)")
        return None
    root = Path(tempfile.mkdtemp(prefix="hti-dovecot-"))
    process, port = start_dovecot(root)
    try:
        connection = imaplib.IMAP4("127.0.0.1", port, timeout=60)
        connection.login(USER, PASSWORD)
        connection.select("INBOX")  # dovecot makes the Maildir
        connection.logout()
        maildir = root / "mail" / USER
        owner = maildir.stat()
        for n, raw in enumerate(reports):
            name = f"{int(time.time())}.B{n}.bench"
            (maildir / "tmp" / name).write_bytes(raw)
            if os.getuid() == 0:
                os.chown(maildir / "tmp" / name, owner.st_uid, owner.st_gid)
            (maildir / "tmp" / name).rename(maildir / "new" / name)
        app.config.update(BOUNCE_IMAP_HOST="127.0.0.1", BOUNCE_IMAP_PORT=port, BOUNCE_IMAP_SECURITY="none",
                          BOUNCE_IMAP_USER=USER, BOUNCE_IMAP_PASSWORD=PASSWORD, BOUNCE_IMAP_FOLDER="INBOX",
                          BOUNCE_IMAP_DONE_FOLDER="Behandlade")
        started, cpu = time.perf_counter(), time.process_time()
        result = app.test_cli_runner().invoke(args=["hti", "bounces", "poll"])
        seconds = time.perf_counter() - started
        assert result.exit_code == 0 and f"{len(reports)} brev lästa." in result.output, result.output[-2000:]
        print(f"  (this process used {time.process_time() - cpu:.2f} s of CPU for it)")
        return seconds
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--ways", default="receive,inbox,imap", help="comma-separated: receive, inbox, imap")
    args = parser.parse_args()
    for way in args.ways.split(","):
        url, drop = database(args.database_url)
        try:
            app, reports, senders, expected = prepare(url, args.reports)
            if way == "receive":
                seconds = through_receive(app, reports)
                label = f"hti bounces receive (one process, {len(reports):,} files)"
            elif way == "inbox":
                seconds = through_inbox(app, reports, senders, expected)
                label = "bounce inbox (SMTP, 4 relay processes × 4 connections)"
            else:
                seconds = through_imap(app, reports)
                label = "hti bounces poll (IMAP, dovecot)"
                if seconds is None:
                    continue
            assert suppressed_count(app) == expected, (suppressed_count(app), expected)
            print(f"backend: {make_url(url).get_backend_name()}; {label}: {len(reports):,} reports in "
                  f"{seconds:.2f} s = {len(reports) / seconds:,.0f} reports/s; last of {expected:,} suppressions "
                  f"after {seconds:.2f} s (target < 10 s)")
        finally:
            with app.app_context():
                from hti_comms.extensions import db

                db.session.remove()
                db.engine.dispose()
            drop()


if __name__ == "__main__":
    main()
