"""An event title is text in every event email, never markup (the pieces shared with the text part included)."""
from __future__ import annotations

from hti_comms import clock
from hti_comms.events.services import cancel_event
from tests.markup import HOSTILE, live_markup, shown_text

from .helpers import STOCKHOLM_NOW, at, deliver, make_event, sign_up

TITLE = f"Grundkurs {HOSTILE}"


def test_a_title_with_markup_is_shown_as_text_in_every_event_email(app, db, mail_sink):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event(title=TITLE, capacity=1)
    sign_up(event, name="Anna Andersson", email="anna@example.se")      # a place: the confirmation
    sign_up(event, name="Bo Berg", email="bo@example.se")                # full: the waiting list
    cancel_event(event)                                                  # cancelled, to both of them
    messages = deliver(mail_sink, 4)

    templates = set()
    for message in messages:
        html = message.get_body(("html",)).get_content()
        assert live_markup(html) == [], message["Subject"]
        # The whole title arrived, as words the reader sees (in the heading and in the reason for the email).
        assert shown_text(html).count(TITLE) >= 2, message["Subject"]
        templates.add(message["Subject"].split(":")[0])
    assert templates == {"Du är anmäld", "Du står på väntelistan", "Inställt"}
