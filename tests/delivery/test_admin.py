"""Staff pages: the outbox with live counts, pause/resume/cancel, unknown messages, Testpost, the banner."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus, SinkMessage
from hti_comms.delivery.sink import DatabaseSink
from hti_comms.delivery.worker import deliver_due
from hti_comms.scheduling.models import SchedulerState
from tests.helpers import form_csrf_token

from .helpers import enqueue_people, sample_spec


def test_outbox_pages_require_login(client):
    for url in ("/admin/utkorg/", "/admin/testpost/", "/admin/utkorg/provbrev"):
        response = client.get(url)
        assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_progress_page_and_json_follow_the_send(app, db, staff_login, mail_sink):
    send_id = enqueue_people(12, sample_spec(subject="Nyhetsbrev #13", list_key="nyhetsbrev"))
    listing = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "Nyhetsbrev #13" in listing and "Skickas" in listing
    page = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
    assert 'data-count="queued">12<' in page
    assert "Siffrorna uppdateras av sig själva" in page
    assert staff_login.get(f"/admin/utkorg/{send_id}/status.json").json["counts"]["queued"] == 12
    deliver_due(limit=5)
    status = staff_login.get(f"/admin/utkorg/{send_id}/status.json").json
    assert (status["counts"]["sent"], status["counts"]["queued"], status["status_label"]) == (5, 7, "Skickas")
    deliver_due()
    status = staff_login.get(f"/admin/utkorg/{send_id}/status.json").json
    assert (status["counts"]["sent"], status["status"]) == (12, "done")


def post_action(client, send_id: int, action: str, **data):
    token = form_csrf_token(client, f"/admin/utkorg/{send_id}")
    return client.post(f"/admin/utkorg/{send_id}/{action}", data={"csrf_token": token, **data},
                       follow_redirects=True)


def test_pause_and_resume_never_resend(app, db, staff_login, mail_sink):
    send_id = enqueue_people(30)
    assert deliver_due(limit=10) == 10
    page = post_action(staff_login, send_id, "pausa").get_data(as_text=True)
    assert "Utskicket är pausat" in page and ">Fortsätt …</button>" in page
    assert deliver_due() == 0
    # "Fortsätt" asks first, naming the 20 who have not had it yet (and not the 10 who have).
    confirm = staff_login.get(f"/admin/utkorg/{send_id}/fortsatt").get_data(as_text=True)
    assert "<h1>Skicka till 20 personer?</h1>" in confirm and "Ja, fortsätt till 20 personer" in confirm
    waiting = set(db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.send_id == send_id,
                                                                       OutboxMessage.status == OutboxStatus.QUEUED)))
    sent = set(db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.send_id == send_id,
                                                                    OutboxMessage.status == OutboxStatus.SENT)))
    assert all(f"&lt;{email}&gt;" in confirm for email in waiting)
    assert not any(f"&lt;{email}&gt;" in confirm for email in sent)
    unconfirmed = post_action(staff_login, send_id, "fortsatt").get_data(as_text=True)
    assert "Skicka till 20 personer?" in unconfirmed and deliver_due() == 0  # a post without "Ja" only asks
    page = post_action(staff_login, send_id, "fortsatt", confirmed="1").get_data(as_text=True)
    assert "Den som redan fått brevet får det inte igen" in page
    assert deliver_due() == 20
    mail_sink.wait_for(30)
    recipients = Counter(to for _from, (to,) in mail_sink.envelopes)
    assert len(recipients) == 30 and set(recipients.values()) == {1}


def test_cancel_stops_the_rest_for_good(app, db, staff_login, mail_sink):
    send_id = enqueue_people(8)
    deliver_due(limit=3)
    page = post_action(staff_login, send_id, "avbryt").get_data(as_text=True)
    assert "Utskicket är avbrutet" in page
    assert 'data-count="cancelled">5<' in page
    assert ">Fortsätt …</button>" not in page and ">Pausa</button>" not in page
    assert deliver_due() == 0
    assert db.session.get(Send, send_id).status is SendStatus.CANCELLED
    assert len(mail_sink.raw_messages) == 3


def test_actions_need_the_form_token(app, db, staff_login):
    send_id = enqueue_people(1)
    assert staff_login.post(f"/admin/utkorg/{send_id}/pausa").status_code == 400
    assert db.session.get(Send, send_id).status is SendStatus.SENDING


def test_unknown_messages_are_listed_for_a_decision(app, db, staff_login, mail_sink):
    send_id = enqueue_people(2)
    row = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
    row.status, row.last_error = OutboxStatus.UNKNOWN, "Förbindelsen bröts efter att meddelandet skickats"
    db.session.commit()
    deliver_due()
    assert "1 brev har status ”okänt om de kom fram”" in staff_login.get("/admin/utkorg/").get_data(as_text=True)
    page = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
    assert "Okänt om det kom fram" in page and "person0@example.se" in page
    assert "Klart – 1 med okänt utfall" in page and "Räkna alla 1 som skickade" in page
    confirm = staff_login.get(f"/admin/utkorg/{send_id}/okant-utfall/rakna-som-skickade").get_data(as_text=True)
    assert "<h1>Räkna 1 brev som skickat?</h1>" in confirm and "Person 0 &lt;person0@example.se&gt;" in confirm
    token = form_csrf_token(staff_login, f"/admin/utkorg/{send_id}")
    page = staff_login.post(f"/admin/utkorg/{send_id}/okant-utfall/rakna-som-skickade",
                            data={"csrf_token": token, "confirmed": "1", "antal": "1"},
                            follow_redirects=True).get_data(as_text=True)
    assert "1 brev räknas som skickade" in page
    assert db.session.get(OutboxMessage, row.id).status is OutboxStatus.SENT
    assert len(mail_sink.raw_messages) == 1


def test_test_email_form_queues_a_message(app, db, staff_login, mail_sink):
    token = form_csrf_token(staff_login, "/admin/utkorg/provbrev")
    bad = staff_login.post("/admin/utkorg/provbrev", data={"csrf_token": token, "email": "inte en adress"})
    assert "”inte en adress” är ingen giltig e-postadress." in bad.get_data(as_text=True)
    typed = {"csrf_token": token, "email": "eva@example.se", "name": "Eva", "note": "Hälsningar <3"}
    confirm = staff_login.post("/admin/utkorg/provbrev", data=typed).get_data(as_text=True)
    # It asks first, naming the one recipient; nothing is in the outbox yet.
    assert "<h1>Skicka till 1 person?</h1>" in confirm and "Eva &lt;eva@example.se&gt;" in confirm
    assert db.session.scalar(select(OutboxMessage.id)) is None
    page = staff_login.post("/admin/utkorg/provbrev", data={**typed, "confirmed": "1"},
                            follow_redirects=True).get_data(as_text=True)
    assert "Provbrevet ligger i utkorgen" in page
    deliver_due()
    (message,) = mail_sink.wait_for(1)
    assert "Hälsningar &lt;3" in message.get_body(("html",)).get_content()
    assert "Karin Personal" in message.get_body(("plain",)).get_content()


def test_testpost_lists_and_shows_html_text_and_headers(app, db, staff_login, mail_sink):
    enqueue_people(1, sample_spec(subject="Välkommen <till> kursen", list_key="kurser"))
    deliver_due()
    mail_sink.wait_for(1)
    DatabaseSink(app).store("hti@spfseniorerna.se", ["person0@example.se"], mail_sink.raw_messages[0])
    listing = staff_login.get("/admin/testpost/").get_data(as_text=True)
    assert "Välkommen &lt;till&gt; kursen" in listing and "person0@example.se" in listing
    message_id = db.session.scalar(select(SinkMessage.id))
    page = staff_login.get(f"/admin/testpost/{message_id}").get_data(as_text=True)
    assert f'sandbox="" src="/admin/testpost/{message_id}/brevet.html"' in page
    html = staff_login.get(f"/admin/testpost/{message_id}/brevet.html")
    assert html.mimetype == "text/html" and "Välkommen &lt;till&gt; kursen" in html.get_data(as_text=True)
    assert "sandbox" in html.headers["Content-Security-Policy"]
    assert "Hej Person 0!" in page  # the text part
    assert "List-Unsubscribe-Post" in page and "List-Unsubscribe=One-Click" in page
    token = form_csrf_token(staff_login, "/admin/testpost/")
    page = staff_login.post("/admin/testpost/tom", data={"csrf_token": token}, follow_redirects=True)
    assert "1 brev togs bort ur testposten" in page.get_data(as_text=True)


def test_stale_scheduler_heartbeat_shows_a_banner(app, db, staff_login):
    assert "Schemaläggaren har aldrig startats" in staff_login.get("/admin/").get_data(as_text=True)
    db.session.add(SchedulerState(name="main", holder="host:1:abc", heartbeat_at=clock.now(),
                                  started_at=clock.now()))
    db.session.commit()
    assert "Schemaläggaren" not in staff_login.get("/admin/").get_data(as_text=True)
    clock.set_now(clock.now() + timedelta(minutes=5))
    page = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "Schemaläggaren har inte hört av sig sedan" in page
    assert "Schemaläggaren" not in staff_login.get("/").get_data(as_text=True)  # public pages: no banner


def test_staff_can_see_the_message_as_a_recipient_gets_it(app, db, staff_login):
    send_id = enqueue_people(2, sample_spec(subject="Nyhetsbrev #13", list_key="nyhetsbrev",
                                           context={"sent_by": "Anna <Projektledare>", "note": ""}))
    page = staff_login.get(f"/admin/utkorg/{send_id}/brevet").get_data(as_text=True)
    assert "Så som Person 0 &lt;person0@example.se&gt; får brevet" in page
    assert "Hej Person 0!" in page  # the text part
    assert "Anna &lt;Projektledare&gt;" in page
    assert f'sandbox="" src="/admin/utkorg/{send_id}/brevet.html"' in page
    html = staff_login.get(f"/admin/utkorg/{send_id}/brevet.html").get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>") and "Anna &lt;Projektledare&gt;" in html
    assert "https://hti.example.se/avregistrera/" in html


def test_each_send_lists_who_got_it_and_how_it_went(app, db, staff_login, mail_sink):
    from hti_comms.subscribers.services import ensure_default_lists

    ensure_default_lists()
    send_id = enqueue_people(130, sample_spec(subject="Nyhetsbrev #13", list_key="nyhetsbrev"))
    deliver_due(limit=120)
    row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.send_id == send_id,
                                                        OutboxMessage.status == OutboxStatus.QUEUED)
                            .order_by(OutboxMessage.id))
    row.status, row.last_error = OutboxStatus.FAILED, "550 Mottagaren finns inte"
    db.session.commit()

    detail = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
    assert f'href="/admin/utkorg/{send_id}/mottagare"' in detail
    assert "utskickslista Hemtjänstindex nyhetsbrev" in detail and "utskickslista nyhetsbrev" not in detail
    page = staff_login.get(f"/admin/utkorg/{send_id}/mottagare").get_data(as_text=True)
    # Counts per status, each a filter; 100 rows a page; status in Swedish with the time it went.
    assert "Alla (130)" in page and "Skickat (120)" in page and "Misslyckades (1)" in page and "I kö (9)" in page
    assert "sida 1 av 2" in page and page.count("<tr>") == 101
    assert "Skickat " in page and "person0@example.se" in page
    failed = staff_login.get(f"/admin/utkorg/{send_id}/mottagare?status=failed").get_data(as_text=True)
    assert "550 Mottagaren finns inte" in failed and row.email in failed and "person0@example.se" not in failed
    second = staff_login.get(f"/admin/utkorg/{send_id}/mottagare?sida=2").get_data(as_text=True)
    assert "sida 2 av 2" in second and "person129@example.se" in second and "person0@example.se" not in second
