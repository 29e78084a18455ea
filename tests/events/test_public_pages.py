"""Public pages: the list, one event of each kind, the share link, and never the private join link."""
from __future__ import annotations

from urllib.parse import unquote

from hti_comms import clock
from hti_comms.events.services import cancel_event

from .helpers import JOIN_URL, at, make_event, sign_up


def test_list_event_pages_and_no_join_link_anywhere_public(app, db, client):
    clock.set_now(at("2025-11-05T09:00:00+01:00"))
    course = make_event(capacity="1", description="Läs mer på [SPF:s sida](https://www.spfseniorerna.se/hti).\n\n"
                                                  "<script>alert(1)</script>")
    webinar = make_event(kind="webbinarium", title="Webbinarium inför publiceringen", start="2025-11-27 10:00",
                         end="2025-11-27 12:00", registration="external", join_url="",
                         registration_url="https://spfseniorerna.zoom.us/webinar/register/WN_abc")
    webcast = make_event(kind="webbsandning", title="Vinnarna berättar", start="2025-12-11 10:00",
                         end="2025-12-11 11:00", registration="none", join_url="",
                         stream_url="https://www.spfseniorerna.se/sandning")
    old = make_event(title="Förra årets grundkurs", start="2024-11-07 10:00", end="2024-11-07 11:30")
    cancelled = make_event(title="Extra kurs", start="2025-11-20 10:00", end="2025-11-20 11:00")
    cancel_event(cancelled)

    listing = client.get("/evenemang").get_data(as_text=True)
    upcoming, _, earlier = listing.partition("<h2>Tidigare</h2>")
    assert upcoming.index("Grundkurs om Hemtjänstindex") < upcoming.index("Webbinarium inför") \
        < upcoming.index("Vinnarna berättar")
    assert "torsdag 6 november kl. 10.00–11.30" in upcoming and "i morgon" in upcoming
    assert "Förra årets grundkurs" in earlier and "Förra årets grundkurs" not in upcoming
    assert "<strong>Inställt.</strong>" in upcoming
    assert 'href="webcal://hti.example.se/kalender.ics"' in listing

    page = client.get(f"/evenemang/{course.id}").get_data(as_text=True)
    assert "torsdag 6 november kl. 10.00–11.30" in page and "(i morgon)" in page
    assert "Eva Eriksson</strong>, förbundsordförande" in page
    assert '<a href="https://www.spfseniorerna.se/hti">SPF:s sida</a>' in page
    assert "<script>alert(1)</script>" not in page
    assert "1 plats kvar." in page and 'name="email"' in page and '<label for="needs">' in page
    share = page[page.index('href="mailto:?subject='):].split('"')[1]
    assert "Tips: Grundkurs om Hemtjänstindex" in unquote(share)
    assert f"https://hti.example.se/evenemang/{course.id}" in unquote(share)

    sign_up(course, "Anna", "anna@example.se")
    full = client.get(f"/evenemang/{course.id}").get_data(as_text=True)
    assert "Alla platser är tagna." in full and "Ställ mig på väntelistan" in full

    external = client.get(f"/evenemang/{webinar.id}").get_data(as_text=True)
    assert 'href="https://spfseniorerna.zoom.us/webinar/register/WN_abc"' in external
    assert 'name="email"' not in external

    stream = client.get(f"/evenemang/{webcast.id}").get_data(as_text=True)
    assert "Ingen anmälan krävs." in stream and 'href="https://www.spfseniorerna.se/sandning"' in stream
    assert 'name="email"' not in stream

    gone = client.get(f"/evenemang/{old.id}").get_data(as_text=True)
    assert 'name="email"' not in gone

    pages = [listing, page, full, client.get(f"/evenemang/{course.id}/tack").get_data(as_text=True),
             client.get("/kalender.ics").get_data(as_text=True).replace("\r\n ", ""),
             client.get(f"/evenemang/{course.id}.ics").get_data(as_text=True).replace("\r\n ", "")]
    for public in pages:
        assert JOIN_URL not in public and "81234567890" not in public
    assert client.get("/evenemang/9999").status_code == 404


def test_registration_window_opens_and_closes(app, db, client):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event(opens="2025-10-15 08:00", closes="2025-11-04 23:59")
    before = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Anmälan öppnar onsdag 15 oktober 2025 kl. 08.00." in before and 'name="email"' not in before
    clock.set_now(at("2025-10-20T09:00:00+02:00"))
    assert 'name="email"' in client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    clock.set_now(at("2025-11-05T00:00:00+01:00"))
    after = client.get(f"/evenemang/{event.id}").get_data(as_text=True)
    assert "Anmälan är stängd." in after and 'name="email"' not in after
