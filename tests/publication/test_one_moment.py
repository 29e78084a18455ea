"""One publication moment everywhere: the year's publication event takes its time from the moment (linked, shown
as such), postponing asks staff whether the registered get a change notice, and the timeline warns about any event,
send or reminder that contradicts the moment."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.events.models import Event
from hti_comms.events.publication_link import create_linked
from hti_comms.extensions import db
from hti_comms.publication.contradictions import contradictions
from hti_comms.publication.moments import moments
from tests.events.helpers import make_event

from .helpers import PUBLISHED_AT, results_for_2025, staff_order, text_of


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _move(client, day: str, **extra):
    page = client.get("/admin/publicering/2025").get_data(as_text=True)
    return client.post("/admin/publicering/2025/tid", data={"csrf_token": _csrf(page), "published_date": day,
                                                           "published_time": "07:00", **extra})


def test_the_publication_event_is_created_linked_and_follows_every_move(app, staff_login, mail_sink):
    results_for_2025()
    staff_order("0114", "kontakt@vasby.example.se")
    from hti_comms.delivery.worker import deliver_due

    deliver_due()  # the order receipt
    mail_sink.clear()
    page = staff_login.get("/admin/publicering/2025").get_data(as_text=True)
    assert "Inget evenemang i kalendern följer publiceringstiden 2025." in page
    staff_login.post("/admin/publicering/2025/evenemang/skapa", data={"csrf_token": _csrf(page)})
    event = db.session.scalar(select(Event))
    assert (event.publication_year, clock.as_utc(event.starts_at)) == (2025, PUBLISHED_AT)
    shown = staff_login.get(f"/admin/evenemang/{event.id}").get_data(as_text=True)
    assert "Tiden följer publiceringen 2025 (länkad)" in shown

    # Moving asks first: whether the registered get a change notice (nothing changes without an answer).
    asked = _move(staff_login, "2025-12-11")
    assert asked.status_code == 400 and "Välj om de anmälda ska få besked om den nya tiden." in asked.get_data(
        as_text=True)
    assert "Ja, skicka besked om den nya tiden till 1 kontaktperson hos de beställande kommunerna" in \
        asked.get_data(as_text=True)
    assert moments(2025).published_at == PUBLISHED_AT
    assert _move(staff_login, "2025-12-11", notify="yes").status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert clock.as_utc(event.starts_at) == PUBLISHED_AT + timedelta(days=7) and event.sequence == 1
    [notice] = db.session.scalars(select(Send).where(Send.kind == "publication_moved"))
    assert notice.subject == "Hemtjänstindex 2025 publiceras torsdag 11 december 2025 kl. 07.00"
    deliver_due()
    [message] = mail_sink.wait_for(1)
    text = text_of(message)
    assert "inte torsdag 4 december 2025 kl. 07.00" in text and "onsdag 10 december 2025 kl. 07.00" in text
    assert contradictions(2025) == []

    # "No notice" moves everything too, and tells nobody.
    assert _move(staff_login, "2025-12-18", notify="no").status_code == 302
    db.session.expire_all()
    assert clock.as_utc(db.session.get(Event, event.id).starts_at) == PUBLISHED_AT + timedelta(days=14)
    assert db.session.scalar(select(Send).where(Send.kind == "publication_moved",
                                                Send.subject.contains("18 december"))) is None


def test_the_command_line_moves_the_linked_event_too(app, runner):
    results_for_2025()
    event = create_linked(2025, PUBLISHED_AT)
    db.session.commit()
    result = runner.invoke(args=["hti", "publication", "set", "--year", "2025", "--at", "2025-12-05 07:00"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert clock.as_utc(db.session.get(Event, event.id).starts_at) == PUBLISHED_AT + timedelta(days=1)
    assert db.session.scalar(select(OutboxMessage)) is None  # the command line sends no notice


def test_the_linked_event_time_is_never_typed(app, staff_login):
    from hti_comms.events.inputs import input_for, parse_event
    from hti_comms.events.services import EventError, update_event

    results_for_2025()
    event = create_linked(2025, PUBLISHED_AT)
    db.session.commit()
    form = staff_login.get(f"/admin/evenemang/{event.id}/andra").get_data(as_text=True)
    assert 'name="start_date"' not in form and "samma som publiceringen 2025" in form
    # A posted time is not the event's to change: it keeps the moment.
    staff_login.post(f"/admin/evenemang/{event.id}/andra", data={
        "csrf_token": _csrf(form), "kind": "publicering", "title": "Publiceringen", "registration": "none",
        "start_date": "2025-12-24", "start_time": "15:00", "end_date": "2025-12-24", "end_time": "15:00"})
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.title, clock.as_utc(event.starts_at)) == ("Publiceringen", PUBLISHED_AT)
    raw = input_for(event)
    raw.start = raw.end = "2025-12-24 15:00"
    data, _findings = parse_event(raw)
    try:
        update_event(event, data)
    except EventError as error:
        assert "Flytta publiceringen under Publicering" in str(error)
    else:
        raise AssertionError("a linked event took a typed time")


def test_the_timeline_warns_about_what_contradicts_the_moment(app, staff_login):
    results_for_2025()
    clock.set_now(PUBLISHED_AT - timedelta(days=30))
    unlinked = make_event(kind="publicering", title="Resultaten publiceras", registration="none", join_url="",
                          speakers="", start="2025-12-03 07:00", end="2025-12-03 07:00")
    make_event(title="Webbinarium om resultaten", kind="webbinarium", start="2025-12-04 10:00",
               end="2025-12-04 12:00")
    from hti_comms.briefs.emails import send_local_brief
    from hti_comms.geo.models import Municipality

    send_local_brief(db.session.get(Municipality, "0114"), 2025, [], embargoed_audience=True,
                     scheduled_at=PUBLISHED_AT - timedelta(days=3))
    warnings = contradictions(2025)
    assert any(w.startswith("Evenemanget ”Resultaten publiceras” i kalendern står på onsdag 3 december 2025 kl. "
                            "07.00, men publiceringen är torsdag 4 december 2025 kl. 07.00.") for w in warnings)
    assert any("”Webbinarium om resultaten” (webbinarium) ligger samma dag som publiceringen" in w for w in warnings)
    assert any("före embargot släpps onsdag 3 december 2025 kl. 07.00" in w for w in warnings)
    page = staff_login.get("/admin/publicering/2025/tidslinje").get_data(as_text=True)
    assert "Stämmer inte med publiceringstiden:" in page and "Resultaten publiceras" in page
    # Linking the event to the year gives it the moment: that warning goes.
    year_page = staff_login.get("/admin/publicering/2025").get_data(as_text=True)
    staff_login.post(f"/admin/publicering/2025/evenemang/{unlinked.id}/lanka", data={"csrf_token": _csrf(year_page)})
    assert not any("Resultaten publiceras" in w for w in contradictions(2025))

