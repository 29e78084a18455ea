"""Writing newsletters through the services: a draft created with its sections keeps their images."""
from __future__ import annotations

import pytest

from hti_comms.newsletters.images import ImageError
from hti_comms.newsletters.models import Newsletter
from hti_comms.newsletters.services import SectionFields

from .helpers import make_newsletter, png_bytes


def test_a_draft_created_with_sections_keeps_their_images(app, db, lists):
    newsletter = make_newsletter(sections=[
        SectionFields(title="Rapporten", body="Text.", image_alt="Rapportens omslag",
                      image_upload=(png_bytes(80, 40), "omslag.png")),
        SectionFields(title="Utan bild", body="Text.")])
    stored = db.session.get(Newsletter, newsletter.id)
    first, second = stored.sections
    assert first.image is not None and (first.image.width, first.image.height) == (80, 40)
    assert first.image.content_type == "image/png" and first.image_alt == "Rapportens omslag"
    assert second.image is None


def test_a_bad_image_leaves_no_draft_behind(app, db, lists):
    with pytest.raises(ImageError):
        make_newsletter(sections=[SectionFields(title="Rapporten", body="Text.", image_alt="Omslag"),
                                  SectionFields(title="Trasig", body="Text.", image_upload=(b"ingen bild", "x.png"))])
    db.session.rollback()
    assert db.session.query(Newsletter).count() == 0
