"""Registration: the public form to the confirmation in the SMTP sink, duplicates, capacity, waiting list, cancel."""
from __future__ import annotations

import re
from datetime import timedelta

import vobject
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage
from hti_comms.events.models import Registration, RegistrationStatus
from hti_comms.events.registration import Outcome, RegistrationError, cancel_registration
from tests.helpers import form_csrf_token

from .helpers import JOIN_URL, STOCKHOLM_NOW, at, by_recipient, calendars_in, deliver, invitation_of, make_event, sign_up


def _register_on_page(client, event_id: int, name: str, email: str, **extra):
    token = form_csrf_token(client, f"/evenemang/{event_id}")
    data = {"csrf_token": token, "name": name, "email": email, "role": "Ledamot i kommunens pensionärsråd",
            "organisation": "Upplands Väsby", "needs": "", "question": "", **extra}
    return client.post(f"/evenemang/{event_id}", data=data)


def _cancel_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https://hti\.example\.se(/evenemang/avboka/\S+)", text).group(1)


def test_register_on_the_public_page_and_get_the_invitation(app, db, client, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    response = _register_on_page(client, event.id, "Åsa Öberg, ordf.", "Asa.Oberg@Example.se",
                                 question="Hur jämför vi oss med grannkommunen?", needs="Textning")
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tack för din anmälan" in thanks and "Asa.Oberg@Example.se" in thanks

    (message,) = deliver(mail_sink, 1)
    assert message["Subject"] == "Du är anmäld: Grundkurs om Hemtjänstindex, torsdag 6 november kl. 10.00–11.30"
    assert message["To"].addresses[0].addr_spec == "asa.oberg@example.se"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert JOIN_URL in text and JOIN_URL.replace("&", "&amp;") in html
    assert "Eva Eriksson, förbundsordförande" in text

    # The calendar is an alternative (shown as an invitation) and an attachment, both REQUEST, the same bytes.
    parts = calendars_in(message)
    assert [method for method, _ in parts] == ["REQUEST", "REQUEST"] and parts[0][1] == parts[1][1]
    assert any(p.get_filename() == "inbjudan.ics" for p in message.iter_attachments())
    calendar = invitation_of(message)
    (vevent,) = calendar.walk("VEVENT")
    registration = db.session.scalar(select(Registration))
    assert str(vevent["UID"]) == registration.calendar_uid
    assert str(vevent["ATTENDEE"]) == "mailto:asa.oberg@example.se"
    assert vevent["ATTENDEE"].params["CN"] == "Åsa Öberg, ordf."  # the comma survives, quoted
    assert str(vevent["ORGANIZER"]) == "mailto:hemtjanstindex@spfseniorerna.se"
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent["LOCATION"] == JOIN_URL and str(vevent["URL"]) == JOIN_URL
    assert JOIN_URL in vevent["DESCRIPTION"]
    cancel_path = _cancel_link(message)
    assert "https://hti.example.se" + cancel_path in vevent["DESCRIPTION"]
    assert registration.key in _token_payload(cancel_path) and "oberg" not in cancel_path.lower()

    # The independent parser reads the same invitation the same way.
    parsed = vobject.readOne(parts[0][1])
    assert parsed.method.value == "REQUEST"
    assert parsed.vevent.uid.value == registration.calendar_uid
    assert parsed.vevent.attendee.value == "mailto:asa.oberg@example.se"
    assert parsed.vevent.attendee.params["CN"] == ["Åsa Öberg, ordf."]
    assert parsed.vevent.dtstart.value.astimezone(at("2025-11-06T09:00:00+00:00").tzinfo) == \
        at("2025-11-06T09:00:00+00:00")

    staff_side = db.session.get(Registration, registration.id)
    assert (staff_side.name, staff_side.question, staff_side.needs) == \
        ("Åsa Öberg, ordf.", "Hur jämför vi oss med grannkommunen?", "Textning")


def _token_payload(cancel_path: str) -> str:
    from hti_comms.events.links import read_cancel_token

    return read_cancel_token(cancel_path.rsplit("/", 1)[1]) or ""


def test_form_errors_are_listed_at_the_top_and_next_to_the_field(app, db, client):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    response = _register_on_page(client, event.id, "", "inte-en-adress", role="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="alert"' in page and "saker behöver rättas" in page
    assert 'href="#name"' in page and "Skriv ditt namn." in page
    assert "Välj ditt uppdrag." in page
    assert db.session.scalar(select(Registration)) is None
    # A bad address is caught by the one address rule, next to the field.
    response = _register_on_page(client, event.id, "Anna", "anna@@example")
    assert "är ingen giltig e-postadress" in response.get_data(as_text=True)
    assert db.session.scalar(select(Registration)) is None


def test_registering_twice_keeps_one_registration_and_resends(app, db, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    first = sign_up(event, email="anna@example.se")
    at_once = sign_up(event, name="Anna A.", email="anna@example.se")
    assert (at_once.outcome, at_once.emailed) == (Outcome.ALREADY, False)  # the confirmation went a moment ago
    clock.set_now(clock.now() + timedelta(minutes=60))
    again = sign_up(event, name="Anna A.", email=" ANNA@example.se ")
    assert (first.outcome, again.outcome, again.emailed) == (Outcome.REGISTERED, Outcome.ALREADY, True)
    assert again.registration.id == first.registration.id
    assert len(db.session.scalars(select(Registration)).all()) == 1
    messages = deliver(mail_sink, 2)
    assert len(messages) == 2
    texts = [m.get_body(("plain",)).get_content() for m in messages]
    assert any("Du var redan anmäld" in text for text in texts)
    uids = {str(invitation_of(m).walk("VEVENT")[0]["UID"]) for m in messages}
    assert uids == {first.registration.calendar_uid}


def test_the_same_address_registered_200_times_gets_one_confirmation_within_the_hour(app, db, client, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event(capacity="1")
    sign_up(event, "Först", "forst@example.se")
    for attempt in range(200):
        sign_up(event, f"Anna {attempt}", "anna@example.se")  # on the waiting list: the same pattern
    client.environ_base["REMOTE_ADDR"] = "192.0.2.200"
    assert _register_on_page(client, event.id, "Anna", "anna@example.se").status_code == 302
    queued = db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.email == "anna@example.se")).all()
    assert queued == ["anna@example.se"]
    clock.set_now(clock.now() + timedelta(minutes=59))
    sign_up(event, "Anna", "anna@example.se")
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.email == "anna@example.se")).all()) == 1
    clock.set_now(clock.now() + timedelta(minutes=1))
    sign_up(event, "Anna", "anna@example.se")
    assert len(db.session.scalars(select(OutboxMessage).where(OutboxMessage.email == "anna@example.se")).all()) == 2
    assert len(deliver(mail_sink, 3)) == 3


def test_capacity_waiting_list_and_promotion(app, db, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event(capacity="2")
    anna = sign_up(event, "Anna", "anna@example.se")
    bo = sign_up(event, "Bo", "bo@example.se")
    cilla = sign_up(event, "Cilla", "cilla@example.se")
    david = sign_up(event, "David", "david@example.se")
    assert [r.outcome for r in (anna, bo, cilla, david)] == [Outcome.REGISTERED, Outcome.REGISTERED,
                                                             Outcome.WAITING, Outcome.WAITING]
    messages = deliver(mail_sink, 4)
    waiting_notice = by_recipient(messages, "cilla@example.se")[0]
    assert waiting_notice["Subject"] == "Du står på väntelistan: Grundkurs om Hemtjänstindex"
    assert calendars_in(waiting_notice) == []
    assert JOIN_URL not in waiting_notice.as_string()

    # Bo cancels through his personal link: the place goes to the first in line, with her own invitation.
    promoted = cancel_registration(bo.registration)
    assert [r.email for r in promoted] == ["cilla@example.se"]
    statuses = {r.email: r.status for r in db.session.scalars(select(Registration))}
    assert statuses == {"anna@example.se": RegistrationStatus.REGISTERED, "bo@example.se": RegistrationStatus.CANCELLED,
                        "cilla@example.se": RegistrationStatus.REGISTERED, "david@example.se": RegistrationStatus.WAITING}
    messages = deliver(mail_sink, 6)
    (promotion,) = by_recipient(messages[4:], "cilla@example.se")
    assert promotion["Subject"] == "Du har fått en plats: Grundkurs om Hemtjänstindex"
    assert JOIN_URL in promotion.get_body(("plain",)).get_content()
    vevent = invitation_of(promotion).walk("VEVENT")[0]
    assert str(vevent["UID"]) == cilla.registration.calendar_uid
    (bo_mail,) = by_recipient(messages[4:], "bo@example.se")
    assert bo_mail["Subject"] == "Avbokad: Grundkurs om Hemtjänstindex"
    cancel = invitation_of(bo_mail)
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["UID"]) == bo.registration.calendar_uid


def test_cancel_link_asks_first_then_frees_the_place(app, db, client, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event(capacity="1")
    anna = sign_up(event, "Anna", "anna@example.se")
    sign_up(event, "Bo", "bo@example.se")
    message = by_recipient(deliver(mail_sink, 2), "anna@example.se")[0]
    path = _cancel_link(message)

    page = client.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and "Avboka min plats" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, anna.registration.id).status is RegistrationStatus.REGISTERED

    token = form_csrf_token(client, path)
    done = client.post(path, data={"csrf_token": token})
    assert "Din plats är avbokad" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, anna.registration.id).status is RegistrationStatus.CANCELLED
    statuses = {r.email: r.status for r in db.session.scalars(select(Registration))}
    assert statuses["bo@example.se"] is RegistrationStatus.REGISTERED
    assert "redan avbokad" in client.get(path).get_data(as_text=True)

    forged = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    assert client.get(forged).status_code == 404

    # Registering again makes new links; the old one never cancels the new registration.
    old_uid = anna.registration.calendar_uid
    again = sign_up(event, "Anna", "anna@example.se")
    assert again.outcome is Outcome.WAITING  # Bo has the only place now
    assert again.registration.id == anna.registration.id and again.registration.calendar_uid != old_uid
    assert client.get(path).status_code == 404


def test_registration_closes_when_the_event_starts(app, db):
    clock.set_now(at("2025-11-06T10:05:00+01:00"))
    event = make_event()
    try:
        sign_up(event)
    except RegistrationError as exc:
        assert "redan börjat" in str(exc)
    else:
        raise AssertionError("registration after the start was accepted")


def test_people_registering_at_the_same_moment_never_share_the_last_place(app, db):
    import threading

    from hti_comms.events.models import Event

    clock.set_now(at(STOCKHOLM_NOW))
    event_id = make_event(capacity="1").id
    db.session.commit()
    barrier = threading.Barrier(4)
    errors = []

    def attempt(number: int) -> None:
        with app.app_context():
            try:
                event = db.session.get(Event, event_id)
                barrier.wait(timeout=10)
                sign_up(event, f"Person {number}", f"person{number}@example.se")
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    statuses = sorted(s.value for s in db.session.scalars(select(Registration.status)))
    assert statuses == ["registered", "waiting", "waiting", "waiting"]


def test_a_shared_confirmation_send_cancelled_in_the_outbox_does_not_swallow_later_ones(app, db, mail_sink):
    from hti_comms.delivery.models import Send
    from hti_comms.delivery.services import cancel_send

    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    sign_up(event, "Anna", "anna@example.se")
    cancel_send(db.session.scalar(select(Send.id)))  # staff stop the confirmations of this version
    sign_up(event, "Bo", "bo@example.se")
    (message,) = deliver(mail_sink, 1)
    assert message["To"].addresses[0].addr_spec == "bo@example.se"
    assert invitation_of(message).walk("VEVENT")[0]["ATTENDEE"] == "mailto:bo@example.se"
