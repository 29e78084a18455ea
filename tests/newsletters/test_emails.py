"""The newsletter and circular emails as a reader gets them: a preheader, one sentence saying why, the footer once."""
from __future__ import annotations

import re
from datetime import date

import pytest

from hti_comms.delivery.render import render_preview
from hti_comms.newsletters.models import NewsletterKind
from hti_comms.newsletters.render import email_image_src, render_newsletter, template_name

from .helpers import make_newsletter

REASON = "Du får det här brevet eftersom du har valt att få ”Hemtjänstindex nyhetsbrev” från SPF Seniorerna."


def rendered(newsletter):
    context = render_newsletter(newsletter, purpose="test", image_src=email_image_src).context
    return render_preview(template_name(newsletter), context, subject=newsletter.subject,
                          list_key=newsletter.list_key, email="lasare@exempel.se", name="Lisa Läsare")


def visible_text(html: str) -> str:
    body = html.split('<div class="wrapper"', 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.mark.parametrize("kind", [NewsletterKind.NEWSLETTER, NewsletterKind.CIRCULAR])
def test_one_reason_one_organisation_line_and_a_preheader(app, lists, kind):
    newsletter = make_newsletter(kind=kind, number=14 if kind is NewsletterKind.NEWSLETTER else None,
                                 heading="Kurser i höst", letter_date=date(2025, 10, 28),
                                 signature_name="Eva Exempel", signature_title="projektledare")
    html, text = rendered(newsletter)
    preheader = re.search(r'<div class="preheader"[^>]*>(.*?)</div>', html, re.S).group(1).strip()
    if kind is NewsletterKind.NEWSLETTER:
        assert preheader == "Hemtjänstindex nyhetsbrev #14: Ny nationell rapport – Förbeställ rapportpaketet"
    else:
        assert preheader.startswith("Cirkulär från SPF Seniorerna, 28 oktober 2025. Till alla med uppdrag i")
    for part in (visible_text(html), text):
        assert part.count("Du får det här brevet") == 1 and REASON in part
        assert part.count("Läs i webbläsaren") == 1 and "Box 22574" not in part
    assert '<p class="reason"' in html and REASON in html.split('<p class="reason"', 1)[1].split("</p>", 1)[0]


def test_the_forward_note_of_a_circular_says_it_once(app, lists):
    circular = make_newsletter(kind=NewsletterKind.CIRCULAR, heading="Kurser i höst", letter_date=date(2025, 10, 28),
                               signature_name="Eva Exempel", signature_title="projektledare")
    html, text = rendered(circular)
    assert visible_text(html).count("Skicka gärna vidare") == 1 and "Vidarebefordra det gärna" in visible_text(html)
    assert text.count("SKICKA GÄRNA VIDARE") == 1 and "Skicka gärna vidare" not in text
