"""Builders shared by the newsletter tests."""
from __future__ import annotations

import io

from PIL import Image

from hti_comms.newsletters.models import NewsletterKind
from hti_comms.newsletters.services import NewsletterFields, SectionFields, create_newsletter

GOOD_SECTIONS = [
    SectionFields(title="Ny nationell rapport", body="Socialstyrelsen har en ny rapport om **kontinuitet**.",
                  link_url="https://spfseniorerna.se/rapport", link_text="Läs sammanfattningen av rapporten"),
    SectionFields(title="Förbeställ rapportpaketet", body="Beställ [rapportpaketet för din kommun]"
                  "(https://hemtjanstindex.se/rapportpaket) senast i oktober."),
]


def png_bytes(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (11, 61, 107)).save(out, "PNG")
    return out.getvalue()


def make_newsletter(subject: str = "Ny rapport och rapportpaketet", sections=None, kind=NewsletterKind.NEWSLETTER,
                    **fields):
    return create_newsletter(kind, subject, created_by="test", fields=NewsletterFields(**fields),
                             sections=list(GOOD_SECTIONS if sections is None else sections))
