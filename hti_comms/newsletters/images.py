"""Uploaded section images: checked with Pillow, made small enough for email, stored in the database."""
from __future__ import annotations

import io
import re

from PIL import Image, UnidentifiedImageError

#: Wider images are scaled down: email columns are 600 px, and this keeps them sharp on high-density screens.
MAX_WIDTH = 1200
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}


class ImageError(ValueError):
    """The upload is not an image we can send; the message is Swedish."""


def prepare_image(data: bytes, filename: str) -> tuple[bytes, str, str, int, int]:
    """Return (data, content type, file name, width, height) ready to send, or raise ImageError."""
    if not data:
        raise ImageError("Filen är tom. Välj en bild.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError("Bilden är större än 10 MB. Välj en mindre bild.")
    try:
        image = Image.open(io.BytesIO(data))
        image.verify()
        image = Image.open(io.BytesIO(data))
        image_format = image.format
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ImageError("Filen är ingen bild som går att läsa. Använd en JPEG-, PNG- eller GIF-bild.") from None
    if image_format not in FORMATS:
        raise ImageError("Använd en JPEG-, PNG- eller GIF-bild.")
    width, height = image.size
    name = _safe_name(filename, image_format)
    if width <= MAX_WIDTH:
        return data, FORMATS[image_format], name, width, height
    # Scale down and save again; animated GIFs keep their first frame (email clients vary anyway).
    ratio = MAX_WIDTH / width
    size = (MAX_WIDTH, max(1, round(height * ratio)))
    resized = image.convert("RGBA" if image_format == "PNG" else "RGB").resize(size, Image.LANCZOS)
    out = io.BytesIO()
    if image_format == "JPEG":
        resized.save(out, "JPEG", quality=85, optimize=True)
    else:
        image_format = "PNG"
        resized.save(out, "PNG", optimize=True)
    return out.getvalue(), FORMATS[image_format], _safe_name(filename, image_format), size[0], size[1]


def _safe_name(filename: str, image_format: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", (filename or "bild").rsplit(".", 1)[0]).strip("-.")[:60] or "bild"
    return f"{stem}.{'jpg' if image_format == 'JPEG' else image_format.lower()}"
