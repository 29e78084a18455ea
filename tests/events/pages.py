"""Pages and emails of the events domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page


def _wall_clock(days: int, hour: int, minute: int = 0) -> str:
    from datetime import timedelta

    from hti_comms import clock

    day = clock.to_stockholm(clock.now()).date() + timedelta(days=days)
    return f"{day:%Y-%m-%d} {hour:02d}:{minute:02d}"


def _event(data, key: str, **values):
    """An upcoming event made through the staff input checks (made once per key); return its id."""
    def make(_data):
        from hti_comms.events.inputs import EventInput, parse_event
        from hti_comms.events.services import create_event

        fields = {"kind": "kurs", "title": "Grundkurs om Hemtjänstindex", "start": _wall_clock(10, 10),
                  "end": _wall_clock(10, 11, 30), "join_url": "https://spfseniorerna.zoom.us/j/81234567890",
                  "speakers": "Eva Eriksson, förbundsordförande\nLars Larsson, vetenskaplig ledare",
                  "description": "En introduktion till **Hemtjänstindex** för pensionärsråd."}
        fields.update(values)
        created, findings = parse_event(EventInput(**fields))
        assert created is not None, [str(f) for f in findings]
        return create_event(created).id
    return data.get(f"event:{key}", make)


def course(data) -> int:
    return _event(data, "course", capacity="1")


def webcast(data) -> int:
    return _event(data, "webcast", kind="webbsandning", title="Vinnarna berättar", registration="none", join_url="",
                  speakers="", stream_url="https://www.spfseniorerna.se/sandning", start=_wall_clock(20, 10),
                  end=_wall_clock(20, 11))


def _registered(data):
    """Anna holds the course's only place; Bo is on the waiting list (made once)."""
    def make(_data):
        from hti_comms.events.registration import RegistrationInput, register
        from hti_comms.events.services import get_event

        event = get_event(course(data))
        anna = register(event, RegistrationInput(name="Anna Andersson", email="anna.event@example.se",
                                                 question="Hur jämför vi oss med grannkommunen?")).registration
        register(event, RegistrationInput(name="Bo Berg", email="bo.event@example.se"))
        return anna.id
    return data.get("event-registrations", make)


def _registration(data):
    from hti_comms.events.models import Registration
    from hti_comms.extensions import db

    return db.session.get(Registration, _registered(data))


def _cancel_token(data):
    from hti_comms.events.links import CANCEL_PURPOSE
    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(CANCEL_PURPOSE, _registration(data).key, None)}


def _send(template: str):
    def build(data):
        from sqlalchemy import select

        from hti_comms.delivery.models import Send
        from hti_comms.extensions import db

        _registered(data)
        return db.session.scalars(select(Send).where(Send.template == template).order_by(Send.id.desc())).first()
    return build


def _changed_and_cancelled(data):
    """An event whose time changed, with a reminder and a staff message, then cancelled (made once)."""
    def make(_data):
        import dataclasses

        from hti_comms.events.emails import send_message, send_reminder
        from hti_comms.events.inputs import input_for, parse_event
        from hti_comms.events.registration import RegistrationInput, cancel_registration, register, registered
        from hti_comms.events.services import cancel_event, get_event, update_event
        from hti_comms.extensions import db

        event = get_event(_event(data, "moved", title="Webbinarium inför publiceringen", kind="webbinarium",
                                 capacity="1", start=_wall_clock(30, 10), end=_wall_clock(30, 12)))
        first = register(event, RegistrationInput(name="Cilla Dahl", email="cilla.event@example.se")).registration
        register(event, RegistrationInput(name="David Ek", email="david.event@example.se"))
        changed, _ = parse_event(dataclasses.replace(input_for(event), start=_wall_clock(31, 10),
                                                     end=_wall_clock(31, 12)))
        update_event(event, changed)
        send_reminder(event, registered(event), reference=f"event:{event.id}:reminder:a11y")
        send_message(event, registered(event), subject="Material inför webbinariet", body="Läs **gärna** bilagan.",
                     reference=f"event:{event.id}:message:a11y", private=True)
        db.session.commit()
        cancel_registration(first)  # David gets the place
        cancel_event(event)
        return event.id
    return data.get("event-changed", make)


def _after_change(template: str):
    def build(data):
        _changed_and_cancelled(data)
        return _send(template)(data)
    return build


def _submit_empty(page_):
    # "Anmäl mig" or, once the place is taken, "Ställ mig på väntelistan".
    page_.locator("#anmalan ~ form button[type=submit]").click()


def _submit_new_event_with_errors(page_):
    # No title and no start: both are named beside their fields (the start beside its date field).
    page_.get_by_label("Rubrik").fill("")
    page_.get_by_role("button", name="Spara").click()


page("events.index", args=lambda data: course(data) and webcast(data) and {})
page("events.event_page", args=lambda data: {"event_id": course(data)})
page("events.event_page", state="fel", args=lambda data: {"event_id": course(data)}, then=_submit_empty)
page("events.event_page", state="webbsandning", args=lambda data: {"event_id": webcast(data)})
page("events.thanks", args=lambda data: {"event_id": course(data)})
page("events.cancel", args=_cancel_token)


def _cancel_own_place(data):
    """A registration of its own (cancelled by the state below, so no other declaration loses it)."""
    def make(_data):
        from hti_comms.events.links import CANCEL_PURPOSE
        from hti_comms.events.registration import RegistrationInput, register
        from hti_comms.events.services import get_event
        from hti_comms.tokens import make_personal_token

        event = get_event(_event(data, "cancelled"))
        registration = register(event, RegistrationInput(name="Dora Dahl", email="dora.event@example.se"))
        return make_personal_token(CANCEL_PURPOSE, registration.registration.key, None)
    return {"token": data.get("event-cancelled-token", make)}


page("events.cancel", state="avbokad", args=_cancel_own_place,
     then=lambda p: p.get_by_role("button", name="Avboka min plats").click())
not_a_page("events.event_ics", "a calendar file (.ics), not a page")
not_a_page("events.feed", "the calendar feed (.ics), not a page")

page("events_admin.index", args=lambda data: course(data) and {})
page("events_admin.new_event")
page("events_admin.new_event", state="fel", then=_submit_new_event_with_errors)
page("events_admin.event", args=lambda data: _registered(data) and {"event_id": course(data)})
page("events_admin.edit_event", args=lambda data: {"event_id": course(data)})
page("events_admin.message", args=lambda data: _registered(data) and {"event_id": course(data)})
page("events_admin.cancel_event", args=lambda data: {"event_id": webcast(data)})
page("events_admin.cancel_person", args=lambda data: {"event_id": course(data), "registration_id": _registered(data)})
not_a_page("events_admin.export", "the registrations as a CSV file for Excel")

email("events/confirmation", build=_send("events/confirmation"))
email("events/waiting_list", build=_send("events/waiting_list"))
email("events/update", build=_after_change("events/update"))
email("events/reminder", build=_after_change("events/reminder"))
email("events/message", build=_after_change("events/message"))
email("events/promotion", build=_after_change("events/promotion"))
email("events/registration_cancelled", build=_after_change("events/registration_cancelled"))
email("events/event_cancelled", build=_after_change("events/event_cancelled"))
not_a_page("events_admin.duplicate", "a POST that copies the event and redirects to the copy's form")


def _follow_up(what: str):
    def build(data):
        from hti_comms.events.followup import person, spec
        from hti_comms.events.services import get_event

        event = get_event(course(data))
        event.recording_url = "https://www.spfseniorerna.se/inspelningar/grundkurs"
        event.material_urls = "https://www.spfseniorerna.se/material/grundkurs.pdf"
        return spec(event, what), person(_registration(data), what)
    return build


email("events/follow_up_thanks", build=_follow_up("thanks"))
email("events/follow_up_missed", build=_follow_up("missed"))


def _past_course(data) -> int:
    """A course that ended yesterday, its attendance read: Anna came (walked in), Gustav is unknown."""
    def make(_data):
        from hti_comms.events.attendance import add_walk_in, import_attendance, unknown_attendees
        from hti_comms.events.services import get_event
        from hti_comms.extensions import db

        event = get_event(_event(data, "past", start=_wall_clock(-1, 10), end=_wall_clock(-1, 11, 30)))
        rows = "Namn;E-post;Minuter\nAnna Andersson;anna.past@example.se;80\nGustav Gran;gustav.past@example.se;60\n"
        import_attendance(event, rows.encode(), "narvaro.csv")
        add_walk_in(unknown_attendees(event)[0])
        db.session.commit()
        return event.id
    return data.get("event-past", make)


page("events_admin.after", args=lambda data: {"event_id": _past_course(data)})
page("events_admin.follow_up", args=lambda data: {"event_id": _past_course(data)})
page("events_admin.follow_up", state="förhandsgranskning", args=lambda data: {"event_id": _past_course(data)},
     then=lambda p: (p.get_by_label("Länk till inspelningen").fill("https://www.spfseniorerna.se/inspelning"),
                     p.get_by_role("button", name="Förhandsgranska").click()))
not_a_page("events_admin.attendee_action", "a POST that confirms a line of the report and redirects")


def _feedback_link(data):
    from hti_comms.events.afterlinks import FEEDBACK_PURPOSE
    from hti_comms.events.models import Registration
    from hti_comms.extensions import db
    from hti_comms.tokens import make_personal_token

    event_id = _past_course(data)
    anna = db.session.query(Registration).filter_by(event_id=event_id, email="anna.past@example.se").one()
    return {"token": make_personal_token(FEEDBACK_PURPOSE, anna.key, None)}


page("events.feedback_form", args=_feedback_link)
page("events.feedback_form", state="fel", args=_feedback_link,
     then=lambda p: p.get_by_role("button", name="Skicka svaren").click())
page("events_admin.feedback_results", args=lambda data: {"event_id": _past_course(data)})
not_a_page("events_admin.feedback_export", "the feedback answers as a CSV file for Excel")
not_a_page("events.certificate", "the course certificate as a PDF download (a short refusal without one)")
page("events_admin.councils_page")
not_a_page("events_admin.councils_audience", "a POST that saves the audience and redirects")
not_a_page("events_admin.mark_basic_course", "a POST that marks the course and redirects")
page("events_admin.registration_questions", args=lambda data: {"event_id": course(data)})
