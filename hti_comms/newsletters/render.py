"""Render a newsletter or circular: the email's template context, and the archive copy (direct links, no
personal data). Section kinds are rendered here, at the moment the email is rendered."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..formatting import format_date
from ..links import absolute
from ..markdown import Link, render_markdown, safe_link_url
from ..subscribers.models import MailingList
from .clicks import click_url
from .models import Newsletter, NewsletterKind, Section
from .sections import RenderContext, RenderedSection, section_kind

SOCIAL_URL = "https://www.facebook.com/spfseniorerna"
SOCIAL_TEXT = "Följ SPF Seniorerna på Facebook"
FORWARD_NOTE = ("Vet du någon som har nytta av det här brevet? Vidarebefordra det gärna. Den som vill få våra "
                "brev själv kan anmäla sig på vår webbplats.")
FORWARD_LINK_TEXT = "Anmäl dig till utskicken om Hemtjänstindex"
SIGNUP_PATH = "/prenumerera"


def template_name(newsletter: Newsletter) -> str:
    return "newsletters/circular" if newsletter.kind is NewsletterKind.CIRCULAR else "newsletters/newsletter"


def archive_url(newsletter: Newsletter) -> str:
    return absolute(f"/nyhetsbrev/{newsletter.id}")


def image_content_id(section: Section) -> str:
    return f"bild-{section.image.id}@hemtjanstindex"


def section_place(section: Section) -> str:
    """Return how staff find the section in messages: 'Avsnitt 2 ”Ny rapport”'."""
    title = section.title.strip()
    return f"Avsnitt {section.position + 1}" + (f" ”{title}”" if title else "")


@dataclass
class LinkCollector:
    """Collects the links of one message in order; in the real send each href becomes a counting redirect."""

    newsletter_id: int
    count_clicks: bool = False
    place: str = ""
    links: list[tuple[str, Link]] = field(default_factory=list)

    def href(self, url: str, text: str = "") -> str:
        safe = safe_link_url(url)
        if not safe.lower().startswith(("http://", "https://")):
            return safe  # mailto stays direct; anything else is dropped by the sanitiser anyway
        position = len(self.links)
        self.links.append((self.place, Link(safe, " ".join(text.split()))))
        return click_url(self.newsletter_id, position) if self.count_clicks else safe


@dataclass
class RenderedNewsletter:
    """The template context of the email (JSON-serialisable) and what the checks need."""

    context: dict
    #: (field, link) of every link a reader sees, including ones that are not http(s).
    checked_links: list[tuple[str, Link]]
    #: The http(s) links in href order (what a real send counts clicks for).
    tracked_links: list[tuple[str, Link]]
    #: Everything a reader reads, as plain text (for the embargo rule).
    plain_text: str
    #: Sections a kind could not render: (field, Swedish message).
    problems: list[tuple[str, str]]


def render_newsletter(newsletter: Newsletter, *, purpose: str, now: datetime | None = None,
                      image_src=None) -> RenderedNewsletter:
    """Render every part of the newsletter for `purpose` ("send", "test", "preview" or "archive").

    `image_src(section)` gives the src of a section's image (cid: in email, a URL on pages).
    """
    now = now or clock.now()
    collector = LinkCollector(newsletter.id, count_clicks=purpose == "send")
    context = RenderContext(now=now, href=collector.href, purpose=purpose)
    checked: list[tuple[str, Link]] = []
    problems: list[tuple[str, str]] = []
    texts = [newsletter.subject, newsletter.title, newsletter.topics_line]

    collector.place = "Inledning"
    intro = render_markdown(newsletter.intro, href=lambda link: collector.href(link.url, link.text))
    checked.extend(("Inledning", link) for link in intro.links)
    texts.append(intro.text)

    sections = []
    for section in newsletter.sections:
        place = section_place(section)
        collector.place = place
        body = _render_section_body(section, context, problems)
        checked.extend((place, link) for link in body.links)
        link = None
        if section.link_url.strip():
            # Checked with the words the reader sees (the address itself when there is no text: the section
            # check asks for words, so the link check need not say it again).
            checked.append((f"{place}: Läs mer-länk",
                            Link(section.link_url.strip(), section.link_text.strip() or section.link_url.strip())))
            url = safe_link_url(section.link_url)
            if url:
                link = {"url": url, "text": section.link_text.strip() or url,
                        "href": collector.href(url, section.link_text)}
        image = None
        if section.image is not None:
            image = {"id": section.image.id, "alt": section.image_alt.strip(), "width": section.image.width,
                     "height": section.image.height, "cid": image_content_id(section),
                     "src": image_src(section) if image_src else ""}
        sections.append({"title": section.title.strip(), "html": body.html, "text": body.text, "image": image,
                         "link": link})
        texts.extend([section.title, body.text, image["alt"] if image else "", section.link_text])

    forward = signature = None
    if newsletter.is_circular:
        collector.place = "Skicka gärna vidare"
        url = safe_link_url(newsletter.forward_url)
        if newsletter.forward_url.strip():
            checked.append(("Skicka gärna vidare: länk", Link(newsletter.forward_url.strip(), FORWARD_LINK_TEXT)))
        forward = {"note": newsletter.forward_note.strip(), "url": url, "text": FORWARD_LINK_TEXT,
                   "href": collector.href(url, FORWARD_LINK_TEXT) if url else ""}
        signature = {"name": newsletter.signature_name.strip(), "title": newsletter.signature_title.strip()}
        texts.extend([newsletter.addressee, newsletter.forward_note, newsletter.signature_name,
                      newsletter.signature_title])

    collector.place = "Sidfot"
    checked.append(("Sidfot: sociala medier", Link(SOCIAL_URL, SOCIAL_TEXT)))
    social = {"url": SOCIAL_URL, "text": SOCIAL_TEXT, "href": collector.href(SOCIAL_URL, SOCIAL_TEXT)}

    list_name = _list_name(newsletter.list_key)
    context_dict = {
        "kind": newsletter.kind.value,
        "title": newsletter.title,
        "heading": newsletter.heading.strip(),
        "topics": newsletter.topics_line.strip(),
        "intro_html": intro.html,
        "intro_text": intro.text,
        "addressee": newsletter.addressee.strip(),
        "date_text": _date_text(newsletter),
        "sections": sections,
        "forward": forward,
        "signature": signature,
        "social": social,
        "list_name": list_name,
        "reason": f"Du får det här brevet eftersom du har valt att få ”{list_name}” från SPF Seniorerna.",
        "archive_url": archive_url(newsletter),
        "is_demo": newsletter.is_demo,
        "rendered_at": now.isoformat(),
    }
    return RenderedNewsletter(context=context_dict, checked_links=checked, tracked_links=collector.links,
                              plain_text="\n".join(t for t in texts if t), problems=problems)


def _render_section_body(section: Section, context: RenderContext, problems) -> RenderedSection:
    kind = section_kind(section.kind)
    if kind is None:
        problems.append((section_place(section), f"Avsnittstypen ”{section.kind}” finns inte längre."))
        return RenderedSection(html="", text="")
    return kind.render(section, context)


def _date_text(newsletter: Newsletter) -> str:
    if not newsletter.is_circular or newsletter.letter_date is None:
        return ""
    # "28 oktober 2025": a letter's date line, without the weekday.
    return format_date(newsletter.letter_date).split(" ", 1)[1]


def _list_name(list_key: str) -> str:
    name = db.session.scalar(select(MailingList.name).where(MailingList.key == list_key))
    return name or "Hemtjänstindex"


def preview_image_src(section: Section) -> str:
    """Return the image as a data: URL: the preview frame is sandboxed (no cookies reach the staff pages)."""
    return f"data:{section.image.content_type};base64,{base64.b64encode(section.image.data).decode('ascii')}"


def email_image_src(section: Section) -> str:
    return "cid:" + image_content_id(section)
