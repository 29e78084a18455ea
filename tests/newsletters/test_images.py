"""Uploaded section images: a file that declares more pixels than allowed is refused with a Swedish message
before anything is decoded, and never costs the memory its pixels would (issue 17, items 5 and 8)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pytest
from PIL import Image

from hti_comms.newsletters.images import MAX_PIXELS, ImageError, prepare_image
from hti_comms.newsletters.models import Newsletter
from tests.helpers import declared_png, form_csrf_token

from .helpers import make_newsletter

PROJECT_ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _upload(client, newsletter_id: int, data: bytes):
    url = f"/admin/nyhetsbrev/{newsletter_id}/avsnitt/nytt/text"
    return client.post(url, data={"csrf_token": form_csrf_token(client, url), "title": "Omslaget",
                                  "body": "Text.", "image_alt": "Rapportens omslag",
                                  "image": (io.BytesIO(data), "omslag.png")}, content_type="multipart/form-data")


def test_a_48_kb_png_declaring_20000_by_20000_is_refused_on_the_form_with_the_limit(app, db, staff_login):
    newsletter = make_newsletter(sections=[])
    bomb = declared_png(20000, 20000, "1")
    assert len(bomb) < 50_000  # what the attack sent: a small file, 400 million pixels

    response = _upload(staff_login, newsletter.id, bomb)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # In the error summary, linked to the image field, with the image's size and the limit.
    assert 'href="#image"' in page
    assert "Bilden har 20\u00a0000 × 20\u00a0000 bildpunkter, men en bild får ha högst 25 miljoner" in page
    db.session.expire_all()
    assert db.session.get(Newsletter, newsletter.id).sections == []


@pytest.mark.parametrize(("width", "height"), [(9400, 9400), (5001, 5000), (1200, 30000)])
def test_an_image_over_the_pixel_limit_is_refused_whatever_its_shape(width, height):
    assert width * height > MAX_PIXELS
    with pytest.raises(ImageError, match="högst 25 miljoner bildpunkter"):
        prepare_image(declared_png(width, height), "stor.png")


def test_images_within_the_limit_are_still_scaled_down_for_email():
    data, content_type, name, width, height = prepare_image(declared_png(6000, 4000, "RGB"), "foto.png")
    assert (content_type, name, width, height) == ("image/png", "foto.png", 1200, 800)
    assert Image.open(io.BytesIO(data)).size == (1200, 800)

    photo = io.BytesIO()
    Image.new("RGB", (4800, 3200), (11, 61, 107)).save(photo, "JPEG", quality=80)
    data, content_type, name, width, height = prepare_image(photo.getvalue(), "foto.jpeg")
    assert (content_type, name, width, height) == ("image/jpeg", "foto.jpg", 1200, 800)
    assert Image.open(io.BytesIO(data)).size == (1200, 800)

    grey = prepare_image(declared_png(40, 20, "L"), "liten.png")
    assert grey[1:] == ("image/png", "liten.png", 40, 20)


def test_other_formats_and_broken_files_get_their_own_message():
    bmp = io.BytesIO()
    Image.new("RGB", (10, 10)).save(bmp, "BMP")
    with pytest.raises(ImageError, match="^Använd en JPEG-, PNG- eller GIF-bild.$"):
        prepare_image(bmp.getvalue(), "bild.bmp")
    truncated = declared_png(300, 200)[:-30]
    with pytest.raises(ImageError, match="Filen är ingen bild som går att läsa"):
        prepare_image(truncated, "trasig.png")
    broken_header = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    with pytest.raises(ImageError, match="Filen är ingen bild som går att läsa"):
        prepare_image(broken_header, "trasig.png")


_MEASURE = textwrap.dedent("""
    import json, resource, sys
    from hti_comms.newsletters.images import ImageError, prepare_image
    from tests.helpers import declared_png

    data = declared_png(9400, 9400)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        prepare_image(data, "stor.png")
        outcome = "accepted"
    except ImageError as exc:
        outcome = str(exc)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({"bytes": len(data), "grown_kb": grown, "outcome": outcome}))
""")


@pytest.mark.slow
def test_an_86_kb_png_of_9400_by_9400_costs_no_memory_for_its_pixels():
    """In a process of its own, so its peak resident size is this upload's alone (Pillow decodes outside
    Python's allocator, where tracemalloc cannot see it). Decoding it took 1.5 s and 774 MB."""
    done = subprocess.run([sys.executable, "-c", _MEASURE], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          check=True, timeout=120)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["bytes"] < 90_000
    assert "högst 25 miljoner bildpunkter" in figures["outcome"]
    assert figures["grown_kb"] < 20 * 1024, f"the refused upload grew the process by {figures['grown_kb']} kB"
