"""What staff see in Testpost (issue 17, section 3): inline images show, attachments open, and the walk from a
registration email through its cancel link ends on a page that leads back to the event."""
from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import SinkMessage
from hti_comms.delivery.outbox import Attachment
from hti_comms.delivery.sink import DatabaseSink
from hti_comms.delivery.worker import deliver_due
from hti_comms.newsletters.sending import send_now
from hti_comms.newsletters.services import SectionFields
from tests.events.helpers import STOCKHOLM_NOW, at, make_event, sign_up
from tests.helpers import form_csrf_token
from tests.newsletters.helpers import make_newsletter, png_bytes

from .helpers import enqueue_people, sample_spec

#: The smallest well-formed PDF there is, for a PDF attachment.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.fixture
def testpost(app, mail_sink):
    """Testpost switched on; `deliver()` sends what is due and keeps each message as the sink process does."""
    app.config["MAIL_SINK"] = True
    kept = DatabaseSink(app)

    def deliver(count: int) -> list[int]:
        deliver_due()
        mail_sink.wait_for(count)
        for raw, (mail_from, recipients) in zip(mail_sink.raw_messages, mail_sink.envelopes, strict=True):
            kept.store(mail_from, recipients, raw)
        mail_sink.clear()
        return list(kept.app.extensions["sqlalchemy"].session.scalars(
            select(SinkMessage.id).order_by(SinkMessage.id)))
    return deliver


def test_inline_images_show_as_data_urls_inside_the_frame(app, db, staff_login, make_contact, testpost):
    make_contact("eva@exempel.se", name="Eva Ek")
    image = png_bytes(300, 150)
    newsletter = make_newsletter(list_key="nyhetsbrev", sections=[SectionFields(
        title="Rapporten", body="Läs den.", image_upload=(image, "omslag.png"), image_alt="Rapportens omslag")])
    send_now(newsletter.id, [])
    (message_id,) = testpost(1)

    frame = staff_login.get(f"/admin/testpost/{message_id}/brevet.html")
    html = frame.get_data(as_text=True)
    assert "cid:" not in html
    (encoded,) = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', html)
    assert base64.b64decode(encoded) == image
    # Still its own sandboxed document, which may load no image from anywhere else.
    policy = frame.headers["Content-Security-Policy"]
    assert "img-src data:" in policy and "sandbox" in policy


def test_a_calendar_invitation_can_be_read_and_downloaded(app, db, staff_login, testpost):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    sign_up(event, "Åsa Öberg", "asa@example.se")
    (message_id,) = testpost(1)

    page = staff_login.get(f"/admin/testpost/{message_id}").get_data(as_text=True)
    link = f"/admin/testpost/{message_id}/bilaga/1"
    assert f'<a href="{link}" download>Ladda ner inbjudan.ics</a> (text/calendar)' in page
    assert "<summary>Visa innehållet i inbjudan.ics</summary>" in page and "BEGIN:VCALENDAR" in page

    download = staff_login.get(link)
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    assert download.headers["Content-Disposition"] == "attachment; filename=inbjudan.ics"
    body = download.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR") and "METHOD:REQUEST" in body and "asa@example.se" in body
    assert staff_login.get(f"/admin/testpost/{message_id}/bilaga/2").status_code == 404
    assert staff_login.get(f"/admin/testpost/{message_id}/bilaga/0").status_code == 404


def test_a_pdf_attachment_downloads_as_it_was_sent(app, db, staff_login, testpost):
    enqueue_people(1, sample_spec(attachments=(Attachment("Rapport för Åre.pdf", "application/pdf", PDF),)))
    (message_id,) = testpost(1)
    page = staff_login.get(f"/admin/testpost/{message_id}").get_data(as_text=True)
    assert "Ladda ner Rapport för Åre.pdf</a> (application/pdf)" in page
    assert "Visa innehållet" not in page  # not text: downloaded only
    download = staff_login.get(f"/admin/testpost/{message_id}/bilaga/1")
    assert download.mimetype == "application/pdf" and download.get_data() == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Rapport%20f%C3%B6r%20%C3%85re.pdf" in download.headers["Content-Disposition"]


def test_after_cancelling_from_the_email_the_page_leads_back_to_the_event(app, db, client, staff_login, testpost):
    clock.set_now(at(STOCKHOLM_NOW))
    event = make_event()
    sign_up(event, "Åsa Öberg", "asa@example.se")
    (message_id,) = testpost(1)
    page = staff_login.get(f"/admin/testpost/{message_id}").get_data(as_text=True)
    cancel = re.search(r"https://hti\.example\.se(/evenemang/avboka/[^\s<]+)", page).group(1)

    done = client.post(cancel, data={"csrf_token": form_csrf_token(client, cancel)})
    html = done.get_data(as_text=True)
    assert "Din plats är avbokad" in html
    assert f'<a href="/evenemang/{event.id}">Till evenemanget ”{event.title}”</a>' in html
    assert '<a href="/evenemang">Alla evenemang</a>' in html
