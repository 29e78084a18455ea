"""A person's registrations in the GDPR export and erasure; the demo events for `make run`."""
from __future__ import annotations

import json

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import Send
from hti_comms.events.demo import load
from hti_comms.events.models import Event, EventKind, Registration, RegistrationStatus
from hti_comms.events.services import upcoming_events
from hti_comms.events.wording import relative_text
from hti_comms.personal_data import Person, erase_person, export_person

from .helpers import at, make_event, sign_up


def test_export_and_erase_a_persons_registrations(app, db):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event(capacity="1")
    sign_up(event, "Anna", "anna@example.se", question="Hur räknas delindex?")
    sign_up(event, "Bo", "bo@example.se")
    exported = export_person(Person("anna@example.se"))["anmälningar till evenemang"]
    assert exported[0]["evenemang"] == "Grundkurs om Hemtjänstindex" and exported[0]["fråga"] == "Hur räknas delindex?"
    assert exported[0]["status"] == "Anmäld"
    json.dumps(exported)  # the export is JSON

    removed = erase_person(Person("anna@example.se"))
    db.session.commit()
    assert removed["anmälningar till evenemang"] == 1
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses == {"bo@example.se": RegistrationStatus.REGISTERED}  # the freed place went to the next
    assert db.session.scalar(select(Send.kind).where(Send.kind == "event_promotion")) == "event_promotion"


def test_demo_events_are_upcoming_marked_and_follow_the_autumn_cycle(app, db):
    clock.set_now(at("2025-10-22T09:00:00+02:00"))  # a Wednesday in late October
    assert "Demoevenemang" in load()
    events = upcoming_events()
    assert [e.kind for e in events] == [EventKind.KURS, EventKind.WEBBINARIUM, EventKind.PUBLICERING,
                                        EventKind.WEBBSANDNING]
    assert all(e.is_demo and "(demo)" in e.title for e in events)
    course, webinar, publication, webcast = events
    assert relative_text(course) == "nästa vecka" and clock.to_stockholm(course.starts_at).weekday() == 3
    assert clock.to_stockholm(publication.starts_at).strftime("%H:%M") == "07:00"
    assert publication.registration_mode.value == "none" and not publication.join_url
    assert webcast.registration_mode.value == "none" and webcast.kind is EventKind.WEBBSANDNING
    line = db.session.scalars(select(Registration).where(Registration.event_id == webinar.id,
                                                         Registration.status == RegistrationStatus.WAITING)).all()
    assert len(line) == 1 and all(r.is_demo for r in db.session.scalars(select(Registration)))
    assert db.session.scalar(select(Send)) is None  # demo registrations send nothing
    assert db.session.scalar(select(Event).where(Event.is_demo.is_(False))) is None
