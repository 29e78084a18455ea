"""Two `hti newsletter send ID` at once (issue 17, item 5): one sends, the other says so in Swedish and exits
non-zero; the loser used to die with an IntegrityError traceback, after moving the started newsletter back to
"scheduled", where the scheduler would try to start it again and again."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.newsletters import cli, sending
from hti_comms.newsletters.models import Newsletter, NewsletterStatus, SentLink
from hti_comms.newsletters.services import NewsletterError
from tests.processes import FlaskProcess

from .helpers import make_newsletter

SWEDISH_ANSWER = "har redan börjat skickas"


@pytest.fixture
def ready(app, db, make_contact):
    """A newsletter with two recipients, committed so that other threads and processes see it."""
    make_contact("eva@exempel.se", name="Eva Ek")
    make_contact("olle@exempel.se", name="Olle Ox")
    newsletter = make_newsletter(list_key="nyhetsbrev")
    db.session.commit()
    return newsletter.id


def _invoke(app, newsletter_id: int, results: dict, name: str) -> None:
    with app.app_context():  # its own, so its own database session, as a process of its own would have
        results[name] = app.test_cli_runner().invoke(args=["hti", "newsletter", "send", str(newsletter_id)])


def _start(app, newsletter_id: int, results: dict, name: str) -> threading.Thread:
    thread = threading.Thread(target=_invoke, args=(app, newsletter_id, results, name), name=name, daemon=True)
    thread.start()
    return thread


def _assert_sent_once(db, newsletter_id: int, results: dict) -> None:
    winners = [r for r in results.values() if r.exit_code == 0]
    losers = [r for r in results.values() if r.exit_code != 0]
    assert len(winners) == 1 and "skickas nu till 2 mottagare" in winners[0].output, [r.output for r in winners]
    assert len(losers) == 1, [r.output for r in results.values()]
    loser = losers[0]
    assert loser.exit_code == 1 and SWEDISH_ANSWER in loser.output, (loser.output, loser.exception)
    assert isinstance(loser.exception, SystemExit), repr(loser.exception)  # a sentence, not a traceback
    db.session.rollback()
    newsletter = db.session.get(Newsletter, newsletter_id)
    assert newsletter.status is NewsletterStatus.SENDING
    sends = db.session.scalars(select(Send).where(Send.reference == f"newsletter:{newsletter_id}")).all()
    assert [s.id for s in sends] == [newsletter.send_id]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.send_id == newsletter.send_id)) == 2
    positions = sorted(db.session.scalars(select(SentLink.position).where(SentLink.newsletter_id == newsletter_id)))
    assert positions == list(range(len(positions))) and positions  # the links of one send, recorded once


def test_the_second_send_read_the_draft_before_the_first_started(app, db, ready, monkeypatch):
    """The second command loads the newsletter (a draft), and runs its checks only after the first has sent."""
    second_waits, first_done = threading.Event(), threading.Event()
    original = cli.check_newsletter

    def check_after_the_first(newsletter, *args, **kwargs):
        if threading.current_thread().name == "second" and not second_waits.is_set():
            second_waits.set()
            assert first_done.wait(60)
        return original(newsletter, *args, **kwargs)

    monkeypatch.setattr(cli, "check_newsletter", check_after_the_first)
    results: dict = {}
    second = _start(app, ready, results, "second")
    assert second_waits.wait(60)
    first = _start(app, ready, results, "first")
    first.join(60)
    first_done.set()
    second.join(60)
    assert not first.is_alive() and not second.is_alive()
    _assert_sent_once(db, ready, results)
    assert results["first"].exit_code == 0


def test_both_scheduled_it_and_start_at_the_same_moment(app, db, ready, monkeypatch):
    """Through the service the command calls: two commands at once would swap each other's captured output."""
    both_scheduled = threading.Barrier(2, timeout=60)
    original = sending.start

    def start_together(newsletter_id):
        both_scheduled.wait()
        return original(newsletter_id)

    monkeypatch.setattr(sending, "start", start_together)
    outcomes: dict = {}

    def send(name):
        with app.app_context():
            try:
                outcomes[name] = sending.send_now(ready, []).id
            except NewsletterError as exc:
                outcomes[name] = str(exc)

    threads = [threading.Thread(target=send, args=(name,), daemon=True) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    db.session.rollback()
    newsletter = db.session.get(Newsletter, ready)
    assert sorted(outcomes.values(), key=str) == sorted([newsletter.send_id, (
        f"Nyhetsbrevet har redan börjat skickas: det startades samtidigt någon annanstans. Se hur det går med "
        f"hti newsletter status {ready}.")], key=str)
    assert newsletter.status is NewsletterStatus.SENDING
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.send_id == newsletter.send_id)) == 2


@pytest.mark.slow
def test_two_processes_at_once(app, db, ready, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [FlaskProcess(["hti", "newsletter", "send", str(ready)], url, tmp_path / f"send-{n}.log")
                 for n in (1, 2)]
    for process in processes:
        process.process.wait(timeout=120)
    codes = sorted(p.process.returncode for p in processes)
    outputs = [p.output for p in processes]
    for process in processes:
        process.stop()
    assert codes == [0, 1], outputs
    assert not any("Traceback" in output for output in outputs), outputs
    assert any(SWEDISH_ANSWER in output for output in outputs), outputs
    db.session.rollback()
    newsletter = db.session.get(Newsletter, ready)
    assert newsletter.status is NewsletterStatus.SENDING
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.send_id == newsletter.send_id)) == 2
