"""A second pair of eyes: large sends wait for a second person with utskick, late moves of the publication and
contacts approved during the embargo for a second person with publicering; never the one who asked, one approval
when two press at once, and a scheduled send not approved by its time waits and says so."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from hti_comms.delivery.owner import Owner
from hti_comms import clock
from hti_comms.approvals.models import ApprovalRequest, ApprovalStatus
from hti_comms.approvals.services import ApprovalError, approve
from hti_comms.auth.roles import Role
from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.newsletters.models import Newsletter, NewsletterStatus
from hti_comms.newsletters.sending import start_due
from hti_comms.publication.moments import moments
from tests.helpers import form_csrf_token, log_in, make_staff
from tests.newsletters.helpers import make_newsletter
from tests.publication.helpers import PUBLISHED_AT, RELEASE_AT, form_order, results_for_2025


@pytest.fixture
def people(app, db):
    """Three people who send (Anna asks, Bo and Cecilia can approve) and Dan, who writes only."""
    app.config["APPROVAL_THRESHOLD"] = 2
    made = {name: make_staff(f"{name}@spf.example", roles=[role], name=name.title())
            for name, role in (("anna", Role.UTSKICK), ("bo", Role.UTSKICK), ("cecilia", Role.UTSKICK),
                               ("dan", Role.REDAKTOR), ("eva", Role.PUBLICERING), ("fred", Role.PUBLICERING))}
    return made


def _client(app, person):
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
    assert log_in(client, person.email).status_code == 302
    return client


def _schedule(client, newsletter, *, when: str = "now", date: str = "", time: str = ""):
    url = f"/admin/nyhetsbrev/{newsletter.id}/skicka"
    return client.post(url, data={"csrf_token": form_csrf_token(client, url), "when": when, "date": date,
                                  "time": time, "step": "confirm"}, follow_redirects=True)


def _approve(client, request_id: int, role: str = "utskick"):
    page = client.get(f"/admin/godkannanden/{request_id}").get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0] if 'name="version"' in page else ""
    return client.post(f"/admin/godkannanden/{request_id}/godkann-{role}", data={
        "csrf_token": form_csrf_token(client, f"/admin/godkannanden/{request_id}"), "version": version},
        follow_redirects=True)


def _three_subscribers(make_contact):
    for number in range(3):
        make_contact(f"lasare{number}@exempel.se", name=f"Läsare {number}")


def test_a_large_newsletter_waits_for_a_second_person_and_the_one_who_asked_cannot_approve(
        app, db, people, make_contact, mail_sink):
    _three_subscribers(make_contact)
    newsletter = make_newsletter()
    anna, bo = _client(app, people["anna"]), _client(app, people["bo"])

    page = _schedule(anna, newsletter).get_data(as_text=True)
    assert "väntar på att en andra person med rollen Utskick godkänner det" in page
    assert start_due() == 0  # due now, but not approved: nothing goes
    assert db.session.get(Newsletter, newsletter.id).status is NewsletterStatus.SCHEDULED
    request = db.session.scalar(select(ApprovalRequest))
    assert (request.recipient_count, request.role, request.requested_by_id) == (3, Role.UTSKICK, people["anna"].id)

    # Those who can approve are told by email (not Anna, not Dan who only writes).
    deliver_due()
    told = {message["To"].addresses[0].addr_spec for message in mail_sink.wait_for(2)}
    assert told == {"bo@spf.example", "cecilia@spf.example"}

    # The approver sees the same preview, the count and the audience; Anna sees no button for herself.
    detail = bo.get(f"/admin/godkannanden/{request.id}").get_data(as_text=True)
    assert f'src="/admin/nyhetsbrev/{newsletter.id}/forhandsgranska/brev.html"' in detail
    assert "<strong>3</strong>" in detail and "Godkänn</button>" in detail
    assert "Godkänn</button>" not in anna.get(f"/admin/godkannanden/{request.id}").get_data(as_text=True)
    own = _approve(anna, request.id).get_data(as_text=True)
    assert "Du kan inte godkänna din egen begäran." in own
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request.id).status is ApprovalStatus.WAITING

    assert "Godkänt:" in _approve(bo, request.id).get_data(as_text=True)
    assert start_due() == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).join(Send).where(
        Send.reference == f"newsletter:{newsletter.id}")) == 3


def test_a_small_newsletter_needs_no_second_person(app, db, people, make_contact):
    make_contact("en@exempel.se")
    newsletter = make_newsletter()
    _schedule(_client(app, people["anna"]), newsletter)
    assert db.session.scalar(select(func.count()).select_from(ApprovalRequest)) == 0
    assert start_due() == 1


def test_a_scheduled_send_not_approved_by_its_time_waits_and_says_so(app, db, people, make_contact):
    _three_subscribers(make_contact)
    newsletter = make_newsletter()
    anna, bo = _client(app, people["anna"]), _client(app, people["bo"])
    at = clock.to_stockholm(clock.now() + timedelta(days=1))
    _schedule(anna, newsletter, when="later", date=f"{at:%Y-%m-%d}", time=f"{at:%H:%M}")
    request = db.session.scalar(select(ApprovalRequest))
    assert request.due_at is not None

    clock.set_now(clock.now() + timedelta(days=1, hours=2))
    assert start_due() == 0  # its time came and went without an approval: it waits, it is not sent
    shown = anna.get(f"/admin/nyhetsbrev/{newsletter.id}").get_data(as_text=True)
    assert "Väntar på godkännande" in shown and "Tiden för utskicket har passerat" in shown
    detail = bo.get(f"/admin/godkannanden/{request.id}").get_data(as_text=True)
    assert "Godkänner du nu skickas det genast." in detail and "Godkänn – skicka nu" in detail

    _approve(bo, request.id)
    assert start_due() == 1


def test_a_change_after_the_approval_needs_a_new_one(app, db, people, make_contact):
    from hti_comms.newsletters.services import NewsletterFields, update_newsletter

    _three_subscribers(make_contact)
    newsletter = make_newsletter()
    anna, bo = _client(app, people["anna"]), _client(app, people["bo"])
    at = clock.to_stockholm(clock.now() + timedelta(days=1))
    _schedule(anna, newsletter, when="later", date=f"{at:%Y-%m-%d}", time=f"{at:%H:%M}")
    request = db.session.scalar(select(ApprovalRequest))
    _approve(bo, request.id)
    update_newsletter(db.session.get(Newsletter, newsletter.id), NewsletterFields(subject="Något helt annat"))
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request.id).status is ApprovalStatus.WAITING
    clock.set_now(clock.now() + timedelta(days=1, minutes=5))
    assert start_due() == 0
    _approve(_client(app, people["cecilia"]), request.id)
    assert start_due() == 1


def test_a_large_send_a_staff_member_starts_is_held_until_approved(app, db, people, mail_sink):
    """Any send started on the web (here through the outbox directly, as every domain does) waits in the outbox."""
    from flask_login import login_user

    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue

    with app.test_request_context():
        login_user(people["anna"])
        send = enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Till alla", context={}, kind="test_email"),
                       [Recipient(f"person{n}@exempel.se", f"Person {n}") for n in range(3)])
        db.session.commit()
    request = db.session.scalar(select(ApprovalRequest).where(ApprovalRequest.send_id == send.id))
    assert request.recipient_count == 3 and request.is_waiting
    deliver_due()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.send_id == send.id, OutboxMessage.status == OutboxStatus.SENT)) == 0
    page = _client(app, people["bo"]).get(f"/admin/utkorg/{send.id}").get_data(as_text=True)
    assert "Väntar på godkännande" in page

    approve(request.id, people["bo"])
    deliver_due()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.send_id == send.id, OutboxMessage.status == OutboxStatus.SENT)) == 3


def test_two_approvers_pressing_at_once_give_one_approval(app, db, people):
    """Cecilia's page was read while the request waited; Bo's approval lands first (another process, another
    connection). Cecilia's press then changes nothing: one approval, carried out once."""
    results_for_2025()
    clock.set_now(RELEASE_AT - timedelta(hours=10))
    eva = _client(app, people["eva"])
    page = eva.get("/admin/publicering/2025").get_data(as_text=True)
    eva.post("/admin/publicering/2025/tid", data={"csrf_token": form_csrf_token(eva, "/admin/publicering/2025"),
                                                 "published_date": "2025-12-11", "published_time": "07:00", "notify": "no"})
    assert "2025-12-04" in page
    request = db.session.scalar(select(ApprovalRequest))
    assert moments(2025).published_at == PUBLISHED_AT  # not moved yet
    cecilia_view = db.session.get(ApprovalRequest, request.id)  # read while it waited
    assert cecilia_view.is_waiting

    with db.engine.connect() as other:  # Bo, in another process
        other.execute(text("UPDATE approval_request SET status = 'approved', decided_by_id = :bo, decided_at = :at "
                           "WHERE id = :id AND status = 'waiting'"),
                      {"bo": people["fred"].id, "at": clock.now(), "id": request.id})
        other.commit()
    with pytest.raises(ApprovalError, match="har redan godkänt det här"):
        approve(request.id, make_staff("gun@spf.example", roles=[Role.PUBLICERING]))
    db.session.expire_all()
    assert db.session.get(ApprovalRequest, request.id).decided_by_id == people["fred"].id


def test_a_late_move_of_the_publication_needs_a_second_person_with_publicering(app, db, people):
    results_for_2025()
    eva, fred = _client(app, people["eva"]), _client(app, people["fred"])
    clock.set_now(RELEASE_AT - timedelta(hours=73))  # more than 72 hours before the release: no second person
    eva.post("/admin/publicering/2025/tid", data={"csrf_token": form_csrf_token(eva, "/admin/publicering/2025"),
                                                 "published_date": "2025-12-05", "published_time": "07:00", "notify": "no"})
    assert moments(2025).published_at == PUBLISHED_AT + timedelta(days=1)

    clock.set_now(RELEASE_AT + timedelta(days=1) - timedelta(hours=71))
    moved = eva.post("/admin/publicering/2025/tid", data={
        "csrf_token": form_csrf_token(eva, "/admin/publicering/2025"), "published_date": "2025-12-11", "published_time": "07:00", "notify": "no"},
        follow_redirects=True).get_data(as_text=True)
    assert "ändringen väntar på att en andra person med rollen Publicering godkänner den" in moved
    assert moments(2025).published_at == PUBLISHED_AT + timedelta(days=1)
    request = db.session.scalar(select(ApprovalRequest))
    assert "Du kan inte godkänna din egen begäran." in _approve(eva, request.id, "publicering").get_data(as_text=True)
    # Someone with utskick only cannot approve what needs publicering.
    bo = _client(app, people["bo"])
    assert bo.post(f"/admin/godkannanden/{request.id}/godkann-publicering", data={
        "csrf_token": form_csrf_token(bo, f"/admin/godkannanden/{request.id}")}).status_code == 403

    _approve(fred, request.id, "publicering")
    assert moments(2025).published_at == PUBLISHED_AT + timedelta(days=7)


def test_approving_a_contact_during_the_embargo_needs_a_second_person(app, db, people):
    from hti_comms.publication.models import OrderContact

    results_for_2025()
    order, _position = form_order("0114", "kontakt@vasby.example.se")
    order_contact = db.session.scalar(select(OrderContact))
    order_contact.confirmed_at = clock.now()
    db.session.commit()
    clock.set_now(RELEASE_AT + timedelta(hours=1))
    eva, fred = _client(app, people["eva"]), _client(app, people["fred"])
    path = f"/admin/publicering/2025/bestallning/{order.id}/kontakt/{order_contact.id}/godkann"
    eva.post(path, data={"csrf_token": form_csrf_token(eva, "/admin/publicering/2025")})
    db.session.expire_all()
    assert db.session.get(OrderContact, order_contact.id).approved_at is None
    request = db.session.scalar(select(ApprovalRequest))
    assert request.kind == "order_contact"

    _approve(fred, request.id, "publicering")
    db.session.expire_all()
    assert db.session.get(OrderContact, order_contact.id).approved_at is not None
