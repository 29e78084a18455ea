"""Scheduling and starting: nothing in the outbox ahead of time, edits until the start re-render, a start
happens once, a contributed section kind renders at the moment of sending, pause/resume/cancel."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from markupsafe import escape

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.worker import deliver_due
from hti_comms.newsletters.models import Newsletter, NewsletterStatus
from hti_comms.domain import registry
from hti_comms.newsletters.sections import RenderedSection, SectionKind
from hti_comms.newsletters.sending import cancel, pause, resume, schedule, start, start_due, unschedule
from hti_comms.newsletters.services import NewsletterError, SectionFields, add_section, update_section

from .helpers import make_newsletter

THURSDAY_10 = datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def readers(make_contact):
    for n in range(3):
        make_contact(f"lasare{n}@exempel.se", name=f"Läsare {n}")


def test_a_scheduled_newsletter_is_rendered_and_resolved_when_it_starts(app, db, readers, make_contact, mail_sink):
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    due = clock.now() + timedelta(days=2)
    schedule(newsletter, due, [])
    assert db.session.query(Send).count() == 0
    update_section(newsletter.sections[0], SectionFields(title="Ändrad rubrik", body="Ny text efter schemaläggningen."))
    assert newsletter.status is NewsletterStatus.SCHEDULED  # still passes its checks
    from hti_comms.subscribers.directory import unsubscribe_by_staff
    from hti_comms.subscribers.models import Contact

    unsubscribe_by_staff(db.session.query(Contact).filter_by(email="lasare0@exempel.se").one(), actor="test")
    assert start_due() == 0
    clock.set_now(due + timedelta(seconds=1))
    assert start_due() == 1 and start_due() == 0 and start(newsletter_id) is None  # started exactly once
    assert db.session.query(Send).filter(Send.kind == "newsletter").count() == 1
    assert deliver_due() == 2
    bodies = [m.get_body(("plain",)).get_content() for m in mail_sink.wait_for(2)]
    assert all("ÄNDRAD RUBRIK" in body and "Ny text efter schemaläggningen." in body for body in bodies)
    assert sorted(to for _f, (to,) in mail_sink.envelopes) == ["lasare1@exempel.se", "lasare2@exempel.se"]


def test_unschedule_and_the_guards(app, db, readers):
    newsletter = make_newsletter()
    schedule(newsletter, clock.now() + timedelta(hours=1), [])
    unschedule(newsletter)
    assert newsletter.status is NewsletterStatus.DRAFT and newsletter.scheduled_at is None
    with pytest.raises(NewsletterError, match="inte schemalagt"):
        unschedule(newsletter)
    with pytest.raises(NewsletterError, match="redan passerat"):
        schedule(newsletter, clock.now() - timedelta(hours=1), [])
    with pytest.raises(NewsletterError, match="skickas inte just nu"):
        pause(newsletter)


def test_pause_resume_and_cancel_act_on_the_delivery_send(app, db, client, readers, mail_sink):
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    schedule(newsletter, None, [])
    send = start(newsletter_id)
    pause(newsletter)
    assert db.session.get(Send, send.id).status is SendStatus.PAUSED
    assert deliver_due() == 0
    resume(newsletter)
    assert deliver_due(limit=1) == 1
    assert cancel(newsletter) == 2
    assert newsletter.status is NewsletterStatus.CANCELLED
    assert db.session.query(OutboxMessage).filter_by(status=OutboxStatus.CANCELLED).count() == 2
    response = client.get(f"/nyhetsbrev/{newsletter_id}")
    assert response.status_code == 410 and "stoppade utskicket" in response.get_data(as_text=True)
    assert f"/nyhetsbrev/{newsletter_id}" not in client.get("/nyhetsbrev").get_data(as_text=True)


def test_a_contributed_section_kind_renders_when_the_email_is_rendered_for_sending(app, db, readers, mail_sink):
    def render(section, context):
        event_at = datetime.fromisoformat(section.data["at"])
        days = (event_at.date() - context.now.date()).days
        phrase = "i morgon" if days == 1 else ("redan nästa vecka" if days <= 7 else f"om {days} dagar")
        href = context.href(section.data["url"], "Anmäl dig till grundkursen")
        return RenderedSection(html=f'<p>Grundkursen är {escape(phrase)}. <a href="{escape(href)}">Anmäl dig till '
                                    "grundkursen</a></p>",
                               text=f"Grundkursen är {phrase}. Anmäl dig: {section.data['url']}", links=())

    # This test's app only: no other app (no other test) sees the kind, so nothing is put back afterwards.
    registry(app).section_kinds["test_events"] = SectionKind(key="test_events", label="Kommande evenemang (test)",
                                                             render=render, uses_body=False)
    clock.set_now(THURSDAY_10 - timedelta(days=20))
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    add_section(newsletter, SectionFields(title="Kurser", kind="test_events", data={
        "at": THURSDAY_10.isoformat(), "url": "https://spfseniorerna.se/grundkurs"}))
    schedule(newsletter, THURSDAY_10 - timedelta(days=1), [])
    clock.set_now(THURSDAY_10 - timedelta(days=1, seconds=-5))
    assert start_due() == 1
    assert deliver_due() == 3
    text = mail_sink.wait_for(3)[0].get_body(("plain",)).get_content()
    assert "Grundkursen är i morgon." in text
    html = mail_sink.wait_for(3)[0].get_body(("html",)).get_content()
    assert "/l/" in html and "https://spfseniorerna.se/grundkurs" not in html  # its link is counted too
    archived = db.session.get(Newsletter, newsletter_id).archive
    assert "i morgon" in archived["sections"][-1]["html"]  # the archive keeps the words that were sent
    assert "https://spfseniorerna.se/grundkurs" in archived["sections"][-1]["html"]


def _statuses_in_sql(db, newsletter_id: int) -> list[NewsletterStatus]:
    """Return the statuses a query filtering on the status finds the newsletter in (the SQL side of it)."""
    return [status for status in NewsletterStatus if db.session.scalar(
        select(Newsletter.id).where(Newsletter.id == newsletter_id, Newsletter.status == status)) is not None]


def test_a_newsletter_is_sent_the_moment_its_send_is_done_with_no_sweep_in_between(app, db, readers, mail_sink):
    from hti_comms.scheduling.sweeps import load_sweeps

    assert "newsletters.finish" not in load_sweeps()  # nothing copies the send's state any more
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    schedule(newsletter, None, [])
    send = start(newsletter_id)
    assert db.session.get(Newsletter, newsletter_id).status is NewsletterStatus.SENDING
    assert _statuses_in_sql(db, newsletter_id) == [NewsletterStatus.SENDING]
    assert deliver_due(limit=2) == 2
    assert db.session.get(Newsletter, newsletter_id).status is NewsletterStatus.SENDING  # one still waits
    assert deliver_due() == 1
    assert db.session.get(Send, send.id).status is SendStatus.DONE
    newsletter = db.session.get(Newsletter, newsletter_id)
    assert newsletter.status is NewsletterStatus.SENT and newsletter.stage is NewsletterStatus.SENDING
    assert _statuses_in_sql(db, newsletter_id) == [NewsletterStatus.SENT]
    assert client_status(app, newsletter_id) == 200


def client_status(app, newsletter_id: int) -> int:
    """Return the status code of the newsletter's page in the public archive."""
    return app.test_client().get(f"/nyhetsbrev/{newsletter_id}").status_code


def test_a_cancelled_send_is_the_newsletters_cancelled_state_in_python_and_in_sql(app, db, readers, mail_sink):
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    schedule(newsletter, None, [])
    start(newsletter_id)
    assert cancel(db.session.get(Newsletter, newsletter_id)) == 3
    assert db.session.get(Newsletter, newsletter_id).status is NewsletterStatus.CANCELLED
    assert _statuses_in_sql(db, newsletter_id) == [NewsletterStatus.CANCELLED]
    assert client_status(app, newsletter_id) == 410
