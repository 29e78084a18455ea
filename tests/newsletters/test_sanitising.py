"""Hostile content in any field never reaches the email, the preview or the archive as markup."""
from __future__ import annotations

from html.parser import HTMLParser
from xml.etree import ElementTree

from hti_comms.delivery.worker import deliver_due
from hti_comms.newsletters.sending import schedule, start
from hti_comms.newsletters.services import SectionFields, set_section_image

from .helpers import make_newsletter, png_bytes

SCRIPT = "<script>alert('x')</script>"
HOSTILE_BODY = (f"Hej {SCRIPT}\n\n[klicka på länken](javascript:alert(1)) och "
                "<img src=x onerror=alert(1)> <a href=\"https://spfseniorerna.se\" onclick=\"alert(1)\">länk</a>")


class Elements(HTMLParser):
    """What a browser or mail client would treat as markup (escaped text is harmless)."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        is_site_script = tag == "script" and dict(attrs).get("src", "").startswith("/static/js/")
        if tag in ("script", "iframe", "object", "embed") and not is_site_script:
            self.problems.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            value = (value or "").strip().lower()
            if name in ("href", "src") and value.startswith("javascript:"):
                self.problems.append(f"{tag} {name}={value}")
            if name in ("href", "src") and value.startswith("data:") and not (tag == "img" and
                                                                              value.startswith("data:image/png")):
                self.problems.append(f"{tag} {name}={value}")  # the preview's own images are data: PNGs
            if tag == "img" and name == "src" and value == "x":
                self.problems.append("img from the author's HTML")


def assert_inert(markup: str) -> None:
    parser = Elements()
    parser.feed(markup)
    assert parser.problems == []


def test_scripts_javascript_links_and_event_attributes_never_get_through(app, db, client, staff_login,
                                                                          make_contact, mail_sink):
    make_contact("lasare@exempel.se")
    newsletter = make_newsletter(
        subject=f"Nyheter {SCRIPT}",
        sections=[SectionFields(title=f"Rubrik {SCRIPT}", body=HOSTILE_BODY, link_url="javascript:alert(2)",
                                link_text=f"Läs mer {SCRIPT}"),
                  SectionFields(title="Andra", body="Text <iframe src=https://evil.example></iframe>",
                                link_url="https://spfseniorerna.se/a\" onmouseover=\"alert(3)",
                                link_text="Läs om rapporten")],
        intro=f"Inledning {SCRIPT} [x](JaVaScRiPt:alert(4))", topics=f"Ämnen {SCRIPT}")
    set_section_image(newsletter.sections[0], png_bytes(), "bild.png", alt='Bild" onerror="alert(5)')
    newsletter_id = newsletter.id

    preview_page = staff_login.get(f"/admin/nyhetsbrev/{newsletter_id}/forhandsgranska").get_data(as_text=True)
    preview_html = staff_login.get(f"/admin/nyhetsbrev/{newsletter_id}/forhandsgranska/brev.html")
    assert "sandbox" in preview_html.headers["Content-Security-Policy"]
    live = staff_login.post("/admin/nyhetsbrev/markdown", json={"markdown": HOSTILE_BODY},
                            headers={"X-CSRFToken": _token(staff_login, newsletter_id)}).get_json()
    for markup in (preview_html.get_data(as_text=True), live["html"]):
        assert_inert(markup)
    # The staff page shows the check's messages (escaped) around the preview frames; no markup of its own.
    assert "<script>alert" not in preview_page and "&lt;script&gt;" in preview_page

    # The javascript: read-more link is an error that blocks the send; the author fixes it and sends.
    from hti_comms.newsletters.checks import check_newsletter

    assert any("Läs mer-länk" in f.field and f.is_error for f in check_newsletter(newsletter))
    from hti_comms.newsletters.services import update_section

    update_section(newsletter.sections[0], SectionFields(title=f"Rubrik {SCRIPT}", body=HOSTILE_BODY,
                                                         link_text=f"Läs mer {SCRIPT}",
                                                         link_url="https://spfseniorerna.se/las",
                                                         image_alt="Bild på ett omslag"))
    remaining = [f for f in check_newsletter(newsletter) if f.is_error]
    assert [f.field for f in remaining] == ["Avsnitt 2 ”Andra”: Läs mer-länk"]
    update_section(newsletter.sections[1], SectionFields(title="Andra", body="Text",
                                                         link_url="https://spfseniorerna.se/a",
                                                         link_text="Läs om rapporten"))
    schedule(newsletter, None, [f.message for f in check_newsletter(newsletter)])
    assert start(newsletter_id) is not None
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert_inert(message.get_body(("html",)).get_content())
    archive = client.get(f"/nyhetsbrev/{newsletter_id}").get_data(as_text=True)
    feed = client.get("/nyhetsbrev/atom.xml").get_data(as_text=True)
    assert_inert(archive)
    # A feed reader decodes the entry's HTML content once and renders it: that HTML must be inert too.
    atom = "{http://www.w3.org/2005/Atom}"
    [entry] = ElementTree.fromstring(feed.encode()).findall(f"{atom}entry")
    assert entry.find(f"{atom}content").get("type") == "html"
    assert_inert(entry.find(f"{atom}content").text)
    assert entry.find(f"{atom}title").get("type") in (None, "text")  # titles are plain text


def _token(client, newsletter_id: int) -> str:
    from tests.helpers import form_csrf_token

    return form_csrf_token(client, f"/admin/nyhetsbrev/{newsletter_id}")
