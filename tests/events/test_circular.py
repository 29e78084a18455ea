"""The "Kommande evenemang" section of a circular: phrases computed when the email is rendered, not written."""
from __future__ import annotations

import re

import pytest

from hti_comms import clock
from hti_comms.events.newsletter_section import read_event_choices
from hti_comms.newsletters.models import NewsletterKind
from hti_comms.newsletters.render import render_newsletter
from hti_comms.newsletters.sections import SectionDataError, kind_choices
from hti_comms.newsletters.services import SectionFields, create_newsletter

from .helpers import at, make_event


def test_a_circular_lists_events_with_phrases_as_of_the_send(app, db):
    clock.set_now(at("2025-10-22T09:00:00+02:00"))  # written on a Wednesday in October
    course = make_event()  # Thursday 6 November 10.00
    webinar = make_event(kind="webbinarium", title="Webbinarium inför publiceringen", start="2025-11-27 10:00",
                         end="2025-11-27 12:00", registration="external", join_url="",
                         registration_url="https://spfseniorerna.zoom.us/webinar/register/WN_abc")
    webcast = make_event(kind="webbsandning", title="Vinnarna berättar", start="2025-12-11 10:00",
                         end="2025-12-11 11:00", registration="none", join_url="", speakers="")
    assert ("events", "Kommande evenemang") in kind_choices()
    circular = create_newsletter(NewsletterKind.CIRCULAR, "Inbjudan: kurser och webbinarier hösten 2025", sections=[
        SectionFields(title="Kommande evenemang", kind="events", body="Välkommen till höstens träffar!",
                      data={"event_ids": [webcast.id, webinar.id, course.id]})])

    # Rendered (sent) on Wednesday 29 October: the course is the next week's Thursday.
    sent = render_newsletter(circular, purpose="preview", now=at("2025-10-29T08:00:00+01:00"))
    text = sent.plain_text
    assert "Välkommen till höstens träffar!" in text
    assert text.index("Grundkurs om Hemtjänstindex") < text.index("Webbinarium inför") < text.index("Vinnarna")
    assert "Torsdag 6 november kl. 10.00–11.30 – redan nästa vecka." in text
    assert "Torsdag 27 november kl. 10.00–12.00 – om fyra veckor." in text
    assert "Ingen anmälan krävs." in text
    links = [link.url for _field, link in sent.checked_links]
    assert f"https://hti.example.se/evenemang/{course.id}" in links
    assert "https://spfseniorerna.zoom.us/webinar/register/WN_abc" in links
    assert "81234567890" not in text and all("81234567890" not in url for url in links)  # never the join link

    # The same circular rendered the day before the course says so.
    later = render_newsletter(circular, purpose="preview", now=at("2025-11-05T08:00:00+01:00")).plain_text
    assert "Torsdag 6 november kl. 10.00–11.30 – i morgon." in later
    assert "Torsdag 27 november kl. 10.00–12.00 – om tre veckor." in later


def test_the_webcast_line_says_each_thing_once(app, db):
    """The circular's webcast line read "Ingen anmälan krävs. Se sändningen: Se sändningen: Vinnarna berättar" (issue 17)."""
    clock.set_now(at("2025-10-22T09:00:00+02:00"))
    webcast = make_event(kind="webbsandning", title="Vinnarna berättar", start="2025-12-11 10:00",
                         end="2025-12-11 11:00", registration="none", join_url="", speakers="",
                         stream_url="https://www.spfseniorerna.se/sandning")
    course = make_event()
    circular = create_newsletter(NewsletterKind.CIRCULAR, "Inbjudan till höstens träffar", sections=[
        SectionFields(title="Kommande evenemang", kind="events", body="", data={"event_ids": [webcast.id, course.id]})])
    sent = render_newsletter(circular, purpose="preview", now=at("2025-10-29T08:00:00+01:00"))
    html_text = re.sub(r"<[^>]+>", "", sent.context["sections"][0]["html"])
    for part in (sent.plain_text, html_text):
        assert part.count("Se sändningen") == 1, part
        assert "Ingen anmälan krävs. Se sändningen av Vinnarna berättar" in part
        assert "Anmälan: Anmäl dig" not in part and "Anmäl dig till Grundkurs om Hemtjänstindex" in part
    assert "Se sändningen av Vinnarna berättar:\nhttps://www.spfseniorerna.se/sandning" in sent.plain_text


def test_the_section_form_needs_at_least_one_event():
    from werkzeug.datastructures import MultiDict

    assert read_event_choices(MultiDict([("event_ids", "3"), ("event_ids", "1")])) == {"event_ids": [1, 3]}
    with pytest.raises(SectionDataError, match="minst ett evenemang"):
        read_event_choices(MultiDict())
