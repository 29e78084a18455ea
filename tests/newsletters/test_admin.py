"""Staff pages: write a newsletter with sections and an image, preview as a recipient, test send, send with
a confirmation that shows the count and the time (DST rule), progress and actions."""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from hti_comms import clock
from hti_comms.delivery.models import Send
from hti_comms.newsletters.models import Newsletter, NewsletterStatus

from tests.helpers import form_csrf_token

from .helpers import png_bytes


def post(client, url: str, data: dict, token_from: str | None = None, **kwargs):
    data = {"csrf_token": form_csrf_token(client, token_from or url), **data}
    return client.post(url, data=data, **kwargs)


def test_write_preview_test_and_send_through_the_pages(app, db, staff_login, make_contact):
    clock.set_now(datetime(2026, 3, 20, 12, 0, tzinfo=timezone.utc))
    make_contact("eva@exempel.se", name="Eva Ek")
    make_contact("olle@exempel.se", name="Olle Ox")
    client = staff_login
    assert "Nytt nyhetsbrev" in client.get("/admin/nyhetsbrev/").get_data(as_text=True)

    response = post(client, "/admin/nyhetsbrev/nytt/newsletter", {"subject": "Rapporten och paketet"})
    assert response.status_code == 302
    newsletter = db.session.query(Newsletter).one()
    show = f"/admin/nyhetsbrev/{newsletter.id}"
    page = client.get(show).get_data(as_text=True)
    assert "Lägg till avsnitt: Text" in page and "Mottagare just nu" in page

    response = post(client, f"{show}/avsnitt/nytt/text", {
        "title": "Ny rapport", "body": "Läs [sammanfattningen av rapporten](https://spfseniorerna.se/r).",
        "image_alt": "Rapportens omslag", "link_url": "https://spfseniorerna.se/rapport",
        "link_text": "Läs hela rapporten", "image": (io.BytesIO(png_bytes(2400, 1200)), "omslag.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    section = newsletter.sections[0]
    assert section.image.width == 1200 and section.image.height == 600  # scaled down for email
    assert client.get(f"{show}/avsnitt/{section.id}/bild").mimetype == "image/png"
    refused = post(client, f"{show}/avsnitt/nytt/text", {
        "title": "Bild som inte är en bild", "body": "Text", "image": (io.BytesIO(b"inte en bild"), "x.png")},
        token_from=f"{show}/avsnitt/nytt/text", content_type="multipart/form-data")
    assert refused.status_code == 200 and "Filen är ingen bild som går att läsa" in refused.get_data(as_text=True)
    assert len(db.session.get(Newsletter, newsletter.id).sections) == 1

    edit = client.get(f"{show}/redigera").get_data(as_text=True)
    assert "Hemtjänstindex nyhetsbrev #" in edit and 'data-markdown-preview="intro-preview"' in edit
    response = post(client, f"{show}/redigera", {"subject": "Rapporten och paketet", "number": "14",
                                                 "list_key": "nyhetsbrev", "topics": ""})
    assert response.status_code == 302 and db.session.get(Newsletter, newsletter.id).number == 14

    preview = client.get(f"{show}/forhandsgranska?mottagare=olle@exempel.se").get_data(as_text=True)
    assert "Olle Ox &lt;olle@exempel.se&gt;" in preview and 'class="phone"' in preview and 'class="desktop"' in preview
    assert "Kontrollen hittade inga fel och inga varningar." in preview
    assert "HEMTJÄNSTINDEX NYHETSBREV #14" in preview  # the text part, beside the frames
    frame = client.get(f"{show}/forhandsgranska/brev.html?mottagare=olle@exempel.se").get_data(as_text=True)
    # The frame is sandboxed (no cookies), so its image comes along as a data: URL.
    assert "Hemtjänstindex nyhetsbrev #14" in frame and 'src="data:image/png;base64,' in frame
    assert "/avregistrera/" in frame  # Olle's own unsubscribe link
    stranger = client.get(f"{show}/forhandsgranska?mottagare=okand@exempel.se").get_data(as_text=True)
    assert "Den adressen får inte brevet" in stranger

    assert "personal@spf.example" in client.get(f"{show}/prov").get_data(as_text=True)
    response = post(client, f"{show}/prov", {"addresses": "personal@spf.example"})
    test_send = db.session.query(Send).one()
    assert response.location.endswith(f"/admin/utkorg/{test_send.id}") and test_send.kind == "newsletter_test"
    outbox = client.get("/admin/utkorg/").get_data(as_text=True)
    assert "[TEST] Rapporten och paketet" in outbox and "Provutskick av nyhetsbrev" in outbox  # marked as a test

    send_page = client.get(f"{show}/skicka").get_data(as_text=True)
    assert "<strong>2 mottagare</strong>" in send_page
    assert "Mottagare: Eva Ek och Olle Ox." in send_page and f'href="{show}/mottagare">Se alla 2 mottagare' in send_page
    # 02:30 on the last Sunday of March does not exist: the confirmation says what happens instead.
    review = post(client, f"{show}/skicka", {"step": "review", "when": "later", "date": "2026-03-29",
                                            "time": "02:30"})
    text = review.get_data(as_text=True)
    assert "Skicka till 2 mottagare?" in text and "Ja, skicka till 2 mottagare" in text
    assert "Mottagare: Eva Ek och Olle Ox." in text  # who, before the button that sends
    assert "Klockslaget 02.30 finns inte den dagen" in text and "söndag 29 mars 2026 kl. 03.30" in text
    assert db.session.get(Newsletter, newsletter.id).status is NewsletterStatus.DRAFT  # not yet: it asks first
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text))
    response = client.post(f"{show}/skicka", data={"csrf_token": token, **hidden})
    assert response.status_code == 302
    newsletter = db.session.get(Newsletter, newsletter.id)
    assert newsletter.status is NewsletterStatus.SCHEDULED
    assert clock.as_utc(newsletter.scheduled_at) == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)
    assert "Skickas söndag 29 mars 2026 kl. 03.30" in client.get(show).get_data(as_text=True)

    response = post(client, f"{show}/ta-tillbaka", {}, token_from=show)
    assert db.session.get(Newsletter, newsletter.id).status is NewsletterStatus.DRAFT
    past = post(client, f"{show}/skicka", {"step": "review", "when": "later", "date": "2026-03-01", "time": "09:00"})
    assert "Tiden har redan passerat" in past.get_data(as_text=True)


def test_send_page_blocks_on_errors_and_asks_for_warnings(app, db, staff_login, make_contact):
    from hti_comms.newsletters.services import SectionFields

    from .helpers import make_newsletter

    make_contact("eva@exempel.se")
    broken = make_newsletter(sections=[SectionFields(title="Kurs", body="[Anmälan](https://spfsenoirerna.se/k)")])
    page = staff_login.get(f"/admin/nyhetsbrev/{broken.id}/skicka").get_data(as_text=True)
    # The button is there but cannot be pressed, and says why next to it.
    assert '<button type="button" disabled aria-describedby="send-blocked">Gå vidare</button>' in page
    assert 'id="send-blocked">Det går inte att skicka än: kontrollen hittade 1 fel som måste rättas först.' in page
    assert 'name="step"' not in page
    nobody = make_newsletter(list_key="kurser")
    page = staff_login.get(f"/admin/nyhetsbrev/{nobody.id}/skicka").get_data(as_text=True)
    assert "<strong>0 mottagare</strong>" in page and "Se alla" not in page
    assert "Det går inte att skicka än: ingen får brevet just nu, och kontrollen hittade 1 fel" in page
    assert "Ingen får brevet just nu: ingen har bekräftat att de vill få Kurser och webbinarier" in \
        staff_login.get(f"/admin/nyhetsbrev/{nobody.id}").get_data(as_text=True)
    warned = make_newsletter(sections=[SectionFields(title="Kurs", body="[här](https://spfseniorerna.se/k)")])
    url = f"/admin/nyhetsbrev/{warned.id}/skicka"
    response = post(staff_login, url, {"step": "review", "when": "now"})
    assert "Läs varningarna och kryssa i rutan" in response.get_data(as_text=True)
    response = post(staff_login, url, {"step": "review", "when": "now", "accept_warnings": "y"})
    text = response.get_data(as_text=True)
    assert "Utskicket startar inom några sekunder." in text and "Du har läst och godkänt en varning." in text


def test_live_markdown_preview_endpoint(app, staff_login, lists):
    from .helpers import make_newsletter

    newsletter = make_newsletter()
    token = form_csrf_token(staff_login, f"/admin/nyhetsbrev/{newsletter.id}")
    data = staff_login.post("/admin/nyhetsbrev/markdown", json={"markdown": "**Hej** [SPF](https://spfseniorerna.se)"},
                            headers={"X-CSRFToken": token}).get_json()
    assert data["html"] == '<p><strong>Hej</strong> <a href="https://spfseniorerna.se">SPF</a></p>\n'
    assert staff_login.post("/admin/nyhetsbrev/markdown", json={"markdown": "x"}).status_code == 400  # no token


def test_recipient_list_before_and_after_the_send(app, db, staff_login, make_contact, mail_sink, monkeypatch):
    from hti_comms.delivery.worker import deliver_due
    from hti_comms.newsletters import audience
    from hti_comms.newsletters.sending import send_now

    from .helpers import make_newsletter

    monkeypatch.setattr(audience, "PAGE_SIZE", 2)
    for name in ("Eva Ek", "Olle Ox", "Bo Berg"):
        make_contact(f"{name.split()[0].lower()}@exempel.se", name=name)
    newsletter = make_newsletter()
    url = f"/admin/nyhetsbrev/{newsletter.id}/mottagare"
    first = staff_login.get(url).get_data(as_text=True)
    assert "går till <strong>3 mottagare</strong> just nu" in first and "Sida 1 av 2." in first
    assert "Eva Ek" in first and "Olle Ox" in first and "Bo Berg" not in first
    second = staff_login.get(f"{url}?sida=2").get_data(as_text=True)
    assert "Bo Berg" in second and "Eva Ek" not in second and "Föregående sida" in second
    assert "Bo Berg" in staff_login.get(f"{url}?sida=5").get_data(as_text=True)  # past the end: the last page
    assert "Eva Ek" in staff_login.get(f"{url}?sida=99999999999999999999").get_data(as_text=True)  # no number: the first

    send_now(newsletter.id, [])
    deliver_due()
    after = staff_login.get(f"{url}?sida=2").get_data(as_text=True)
    assert "gick till <strong>3 mottagare</strong>" in after and "<td>Skickat</td>" in after and "Bo Berg" in after
    show = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}").get_data(as_text=True)
    assert "Se vem som fick brevet och hur det gick" in show


def test_the_outbox_names_the_newsletter_and_resume_asks_with_the_count(app, db, staff_login, make_contact):
    from hti_comms.newsletters.sending import pause, send_now

    from .helpers import make_newsletter

    for n in range(3):
        make_contact(f"lasare{n}@exempel.se", name=f"Läsare {n}")
    newsletter = make_newsletter(number=14)
    send = send_now(newsletter.id, [])
    outbox = staff_login.get(f"/admin/utkorg/{send.id}").get_data(as_text=True)
    assert f'<a href="/admin/nyhetsbrev/{newsletter.id}">Nyhetsbrev #14: Ny rapport och rapportpaketet</a>' in outbox
    assert f"newsletter:{newsletter.id}" not in outbox

    show = f"/admin/nyhetsbrev/{newsletter.id}"
    running = staff_login.get(show).get_data(as_text=True)
    assert ">Pausa</button>" in running and "Fortsätt utskicket" not in running
    pause(db.session.get(Newsletter, newsletter.id))
    paused = staff_login.get(show).get_data(as_text=True)
    assert ">Pausa</button>" not in paused and "Utskicket är pausat</strong>: 3 av 3 mottagare" in paused
    assert 'data-confirm="Fortsätta utskicket? 3 av 3 mottagare har inte fått brevet än och får det nu."' in paused
    assert "Fortsätt utskicket till 3 mottagare</button>" in paused
