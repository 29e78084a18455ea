"""Staff pages: create and change events (asking before mail goes out), registrations, CSV, messages, cancel."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.events.models import Event, EventStatus
from tests.helpers import form_csrf_token

from .helpers import JOIN_URL, at, make_event, sign_up

FORM = {"kind": "kurs", "title": "Grundkurs om Hemtjänstindex", "start_date": "2025-11-06", "start_time": "10:00",
        "end_date": "2025-11-06", "end_time": "11:30",
        "registration": "here", "join_url": JOIN_URL, "capacity": "40", "description": "", "speakers": "",
        "registration_url": "", "stream_url": "", "opens_date": "", "opens_time": "", "closes_date": "",
        "closes_time": "", "organiser_name": "",
        "organiser_email": "", "reminders": ["1440", "60"]}


def _post(client, url, data):
    return client.post(url, data={"csrf_token": form_csrf_token(client, url), **data})


def _sent(db):
    return db.session.execute(select(Send.kind, Send.subject, OutboxMessage.email).join(OutboxMessage)
                              .order_by(OutboxMessage.id)).all()


def test_staff_pages_need_login(app, client):
    response = client.get("/admin/evenemang/")
    assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


def test_create_with_errors_next_to_fields_and_lookalike_links_refused(app, db, staff_login):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    bad = _post(staff_login, "/admin/evenemang/nytt", {**FORM, "start_date": "6/11", "registration": "external",
                                                       "join_url": "",
                                                       "registration_url": "https://spfsenioerna.zoom.us/j/1"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "saker behöver rättas" in page
    assert 'href="#start_date"' in page and "Skriv ett datum, till exempel 2026-12-03." in page
    assert "liknar" in page and "spfsenioerna.zoom.us" in page
    assert db.session.scalar(select(Event)) is None

    good = _post(staff_login, "/admin/evenemang/nytt", {**FORM, "stream_url": "", "description":
                                                        "Se [programmet](http://www.spfseniorerna.se/program)."})
    assert good.status_code == 302
    event = db.session.scalar(select(Event))
    assert (event.title, event.capacity, event.reminder_offsets) == ("Grundkurs om Hemtjänstindex", 40, [1440, 60])
    shown = staff_login.get(good.headers["Location"]).get_data(as_text=True)
    assert "använder http, inte https" in shown  # a warning: saved, and said


def test_changing_the_time_asks_first_then_tells_everyone(app, db, staff_login, mail_sink):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event()
    sign_up(event, "Anna", "anna@example.se")
    sign_up(event, "Bo", "bo@example.se")
    url = f"/admin/evenemang/{event.id}/andra"
    form = {**FORM, "speakers": "Eva Eriksson, förbundsordförande\nLars Larsson, vetenskaplig ledare",
            "description": "En introduktion till **Hemtjänstindex**.", "capacity": "",
            "start_date": "2025-11-13", "start_time": "10:00", "end_date": "2025-11-13", "end_time": "11:30"}
    first = _post(staff_login, url, form)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "Ja, spara och skicka till 2" in page
    assert "Anna &lt;anna@example.se&gt;" in page and "Bo &lt;bo@example.se&gt;" in page  # named, not just counted
    db.session.expire_all()
    assert db.session.get(Event, event.id).sequence == 0  # nothing saved yet

    second = _post(staff_login, url, {**form, "confirmed": "1"})
    assert second.status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.sequence == 1 and event.starts_at == at("2025-11-13T10:00:00+01:00")
    updates = [row for row in _sent(db) if row.kind == "event_update"]
    assert [row.email for row in updates] == ["anna@example.se", "bo@example.se"]
    assert updates[0].subject.startswith("Ändrad tid: ")
    assert "2 anmälda får ett brev med den nya tiden" in staff_login.get(second.headers["Location"]).get_data(as_text=True)


def test_event_page_registrations_questions_and_csv(app, db, staff_login):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event(capacity="1")
    sign_up(event, "Åsa Öberg", "asa@example.se", organisation="Gävle", question="Hur räknas delindex?")
    sign_up(event, "=HYPERLINK(\"x\")", "bo@example.se", needs="Hörslinga")
    page = staff_login.get(f"/admin/evenemang/{event.id}").get_data(as_text=True)
    assert "Hur räknas delindex?" in page and "Åsa Öberg" in page
    assert "<strong>1</strong> anmälda" in page and "<strong>1</strong> på väntelistan" in page

    response = staff_login.get(f"/admin/evenemang/{event.id}/anmalda.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="anmalda-evenemang-{event.id}.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Status", "Plats i kön", "Namn", "E-post"]
    assert rows[1][:4] == ["Anmäld", "", "Åsa Öberg", "asa@example.se"] and rows[1][5] == "Gävle"
    assert rows[2][:3] == ["På väntelistan", "1", "'=HYPERLINK(\"x\")"]  # never a formula in Excel


def test_message_to_registrants_shows_the_count_before_sending(app, db, staff_login):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event(capacity="1")
    sign_up(event, "Anna", "anna@example.se")
    sign_up(event, "Bo", "bo@example.se")
    url = f"/admin/evenemang/{event.id}/meddelande"
    preview = _post(staff_login, url, {"subject": "Material inför kursen", "body": "Läs **gärna** bilagan.",
                                       "include_waiting": "1", "nonce": "abc123"})
    page = preview.get_data(as_text=True)
    assert "Skicka till 2 mottagare" in page and "<strong>gärna</strong>" in page
    assert "Skicka till 2 personer?" in page
    assert "Anna &lt;anna@example.se&gt;" in page and "Bo &lt;bo@example.se&gt;" in page
    assert [row for row in _sent(db) if row.kind == "event_message"] == []
    sent = _post(staff_login, url, {"subject": "Material inför kursen", "body": "Läs **gärna** bilagan.",
                                    "include_waiting": "1", "nonce": "abc123", "confirmed": "1"})
    assert sent.status_code == 302
    again = _post(staff_login, url, {"subject": "Material inför kursen", "body": "Läs **gärna** bilagan.",
                                     "include_waiting": "1", "nonce": "abc123", "confirmed": "1"})
    assert again.status_code == 302  # a double click: the same reference, nobody gets it twice
    messages = [row for row in _sent(db) if row.kind == "event_message"]
    assert sorted(row.email for row in messages) == ["anna@example.se", "bo@example.se"]
    contexts = {s.reference: s.context["event"]["join_url"] for s in db.session.scalars(
        select(Send).where(Send.kind == "event_message"))}
    assert contexts == {f"event:{event.id}:message:abc123": JOIN_URL, f"event:{event.id}:message:abc123:waiting": ""}


def test_cancel_event_and_a_registration_through_confirmation_pages(app, db, staff_login):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event(capacity="1")
    anna = sign_up(event, "Anna", "anna@example.se").registration
    sign_up(event, "Bo", "bo@example.se")
    person_url = f"/admin/evenemang/{event.id}/anmalan/{anna.id}/avboka"
    asked = staff_login.get(person_url).get_data(as_text=True)
    assert "Ja, avboka och skicka till 1" in asked and "Anna &lt;anna@example.se&gt;" in asked
    _post(staff_login, person_url, {})
    promoted = [row.email for row in _sent(db) if row.kind == "event_promotion"]
    assert promoted == ["bo@example.se"]

    url = f"/admin/evenemang/{event.id}/stall-in"
    asked = staff_login.get(url).get_data(as_text=True)
    assert "Ja, ställ in och skicka till 1" in asked and "Bo &lt;bo@example.se&gt;" in asked
    assert "Anna &lt;anna@example.se&gt;" not in asked  # she cancelled: she gets nothing more
    _post(staff_login, url, {})
    db.session.expire_all()
    assert db.session.get(Event, event.id).status is EventStatus.CANCELLED
    assert [row.email for row in _sent(db) if row.kind == "event_cancelled"] == ["bo@example.se"]
    listing = staff_login.get("/admin/evenemang/").get_data(as_text=True)
    assert "(inställt)" in listing
    # The outbox says what each send was about, in Swedish, never the reference code.
    outbox = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert f"Evenemang: {event.title} – inställt, till anmälda" in outbox
    assert f"Evenemang: {event.title} – besked om plats från väntelistan" in outbox
    assert f"Evenemang: {event.title} – bekräftelser på avbokning" in outbox
    assert f"event:{event.id}:" not in outbox
