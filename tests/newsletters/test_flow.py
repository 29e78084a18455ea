"""The whole way: compose → check → test send → schedule → the scheduler sends at the due time → the sink →
the archive page and feed, with click counts and editing locked after the send."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from hti_comms import clock
from hti_comms.delivery.models import Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.links import UNSUBSCRIBE_PURPOSE
from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.models import Newsletter, NewsletterStatus, SentLink
from hti_comms.newsletters.sending import schedule, send_test
from hti_comms.newsletters.services import NewsletterError, NewsletterFields, SectionFields, add_section, \
    set_section_image, update_newsletter, update_section
from hti_comms.scheduling.sweeps import load_sweeps
from hti_comms.subscribers.personal_links import LinkState, open_link

from tests.helpers import form_csrf_token

from .helpers import make_newsletter, png_bytes

MONDAY_0900 = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)  # 09:00 in Stockholm


def run_newsletter_sweeps() -> None:
    """Run the newsletter sweeps as the scheduler process does (without ending the test's session)."""
    load_sweeps()["newsletters.start_due"].function()


def _unsubscribe_email(message) -> str:
    """Return the address of the contact the message's one-click unsubscribe link names (for its list)."""
    token = message["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    opened = open_link(UNSUBSCRIBE_PURPOSE, token)
    assert opened.state is LinkState.VALID and opened.extra == {"l": "nyhetsbrev"}
    return opened.contact.email


def test_compose_check_test_schedule_send_archive_and_count_clicks(app, db, client, staff_login, make_contact,
                                                                    mail_sink):
    clock.set_now(MONDAY_0900 - timedelta(days=2))
    for n in range(3):
        make_contact(f"person{n}@exempel.se", name=f"Person {n}")
    make_contact("annan@exempel.se", list_keys=("kurser",))  # not on the newsletter's list
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    set_section_image(newsletter.sections[0], png_bytes(), "rapport.png", alt="Omslaget till rapporten")
    assert [f for f in check_newsletter(newsletter) if f.is_error] == []

    test = send_test(newsletter, ["personal@spf.example"])
    assert test.kind == "newsletter_test" and test.subject.startswith("[TEST] ")
    with pytest.raises(NewsletterError, match="personaladress"):
        send_test(newsletter, ["person0@exempel.se"])
    assert deliver_due() == 1
    [test_message] = mail_sink.wait_for(1)
    assert test_message["Subject"] == "[TEST] Ny rapport och rapportpaketet"
    assert "/l/" not in test_message.get_body(("html",)).get_content()  # a test's links go direct

    schedule(newsletter, MONDAY_0900, confirmed_warnings=[])
    assert newsletter.status is NewsletterStatus.SCHEDULED
    assert db.session.query(Send).filter(Send.kind == "newsletter").count() == 0  # nothing enqueued ahead
    run_newsletter_sweeps()
    assert db.session.get(Newsletter, newsletter_id).status is NewsletterStatus.SCHEDULED

    make_contact("sen@exempel.se", name="Sen Anmälan")  # joins before the due time: gets it
    clock.set_now(MONDAY_0900 + timedelta(seconds=3))
    run_newsletter_sweeps()
    newsletter = db.session.get(Newsletter, newsletter_id)
    assert newsletter.status is NewsletterStatus.SENDING and newsletter.recipient_count == 4
    assert deliver_due() == 4
    messages = mail_sink.wait_for(5)[1:]
    assert sorted(to for _from, (to,) in mail_sink.envelopes[1:]) == [
        "person0@exempel.se", "person1@exempel.se", "person2@exempel.se", "sen@exempel.se"]
    for message in messages:
        recipient = message["To"].split("<")[-1].rstrip(">")
        assert _unsubscribe_email(message) == recipient  # each copy carries its own personal links
        html = message.get_body(("html",)).get_content()
        assert "Hemtjänstindex nyhetsbrev #1" in html and "Läs i webbläsaren" in html
        assert 'src="cid:bild-' in html
        assert f"/nyhetsbrev/{newsletter.id}" in html
        assert "https://spfseniorerna.se/rapport" not in html  # content links go through the counter
        text = message.get_body(("plain",)).get_content()
        assert "https://spfseniorerna.se/rapport" in text  # the text part shows where a link goes
    images = [part for part in messages[0].walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"].startswith("<bild-")

    newsletter = db.session.get(Newsletter, newsletter_id)
    assert newsletter.status is NewsletterStatus.SENT  # its send is done: no sweep copies that

    # Click counting: the redirect names the newsletter and the link only.
    html = messages[0].get_body(("html",)).get_content()
    hrefs = re.findall(r'href="(https://hti\.example\.se/l/[^"]+)"', html)
    assert len(hrefs) == 3
    response = client.get(hrefs[0].replace("https://hti.example.se", ""))
    assert response.status_code == 302 and response.location == "https://spfseniorerna.se/rapport"
    client.get(hrefs[0].replace("https://hti.example.se", ""))
    links = db.session.query(SentLink).order_by(SentLink.position).all()
    assert [link.clicks for link in links] == [2, 0, 0]
    assert client.get("/l/forfalskad").status_code == 404
    page = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}").get_data(as_text=True)
    assert "Levererade: <strong>4</strong>" in page and "Läs sammanfattningen av rapporten" in page

    # The archive and the feed: the content, with direct links and nothing personal.
    archive = client.get(f"/nyhetsbrev/{newsletter.id}").get_data(as_text=True)
    index = client.get("/nyhetsbrev").get_data(as_text=True)
    feed = client.get("/nyhetsbrev/atom.xml")
    assert feed.mimetype == "application/atom+xml"
    feed_text = feed.get_data(as_text=True)
    for page_text in (archive, feed_text):
        assert "Ny nationell rapport" in page_text and "https://spfseniorerna.se/rapport" in page_text
        for private in ("exempel.se", "/avregistrera/", "/installningar/", "/l/", "Person 0", "Sen Anmälan"):
            assert private not in page_text
    assert "Hemtjänstindex nyhetsbrev #1" in index
    image_url = re.search(r'src="(/nyhetsbrev/bild/\d+)"', archive).group(1)
    assert client.get(image_url).mimetype == "image/png"

    # Editing is locked after the send, in the services and on the pages.
    with pytest.raises(NewsletterError, match="kan inte ändras"):
        update_newsletter(newsletter, NewsletterFields(subject="Nytt ämne"))
    with pytest.raises(NewsletterError):
        add_section(newsletter, SectionFields(title="Sent tillägg", body="Text"))
    with pytest.raises(NewsletterError):
        update_section(newsletter.sections[0], SectionFields(title="Ändrad", body="Text"))
    token = form_csrf_token(staff_login, f"/admin/nyhetsbrev/{newsletter.id}")
    response = staff_login.post(f"/admin/nyhetsbrev/{newsletter.id}/redigera",
                                data={"csrf_token": token, "subject": "Nytt", "list_key": "nyhetsbrev"})
    assert response.status_code == 302
    assert "kan inte ändras" in staff_login.get(response.location).get_data(as_text=True)
    assert db.session.get(Newsletter, newsletter_id).subject == "Ny rapport och rapportpaketet"
