"""Uploaded section images: checked with Pillow, made small enough for email, stored in the database."""
from __future__ import annotations

import io
import re
import struct
from functools import cache
from typing import TYPE_CHECKING

from ..formatting import format_integer

#: Wider images are scaled down: email columns are 600 px, and this keeps them sharp on high-density screens.
MAX_WIDTH = 1200
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Most pixels an image may have. Pillow decodes every pixel before it can scale an image down (a PNG or GIF at
#: four bytes a pixel), and a single colour compresses a thousandfold, so a file of 86 kB can declare 9400 × 9400
#: and cost 800 MB. 25 million takes a 24-megapixel camera's photo (6000 × 4000); decoding the largest PNG
#: allowed then costs about 100 MB, and a JPEG is decoded at a reduced scale (see _scaled_down).
MAX_PIXELS = 25_000_000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}
#: What Pillow raises on a file that is not in the format tried, or is broken.
_UNREADABLE = (SyntaxError, OSError, ValueError, IndexError, TypeError, EOFError, struct.error)
NOT_AN_IMAGE = "Filen är ingen bild som går att läsa. Använd en JPEG-, PNG- eller GIF-bild."

if TYPE_CHECKING:
    from PIL import Image, ImageFile


class ImageError(ValueError):
    """The upload is not an image we can send; the message is Swedish."""


def prepare_image(data: bytes, filename: str) -> tuple[bytes, str, str, int, int]:
    """Return (data, content type, file name, width, height) ready to send, or raise ImageError."""
    if not data:
        raise ImageError("Filen är tom. Välj en bild.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError("Bilden är större än 10 MB. Välj en mindre bild.")
    image = _open(data)
    image_format = image.format
    width, height = image.size
    _check_size(width, height)
    try:
        image.verify()
    except _UNREADABLE:
        raise ImageError(NOT_AN_IMAGE) from None
    name = _safe_name(filename, image_format)
    if width <= MAX_WIDTH:
        return data, FORMATS[image_format], name, width, height
    # Scale down and save again; animated GIFs keep their first frame (email clients vary anyway).
    size = (MAX_WIDTH, max(1, round(height * MAX_WIDTH / width)))
    try:
        resized = _scaled_down(_open(data), size, "RGBA" if image_format == "PNG" else "RGB")
    except _UNREADABLE:
        raise ImageError(NOT_AN_IMAGE) from None
    out = io.BytesIO()
    if image_format == "JPEG":
        resized.save(out, "JPEG", quality=85, optimize=True)
    else:
        image_format = "PNG"
        resized.save(out, "PNG", optimize=True)
    return out.getvalue(), FORMATS[image_format], _safe_name(filename, image_format), size[0], size[1]


@cache
def _openers() -> dict[str, type[ImageFile.ImageFile]]:
    """Return the image classes of the formats we send (Pillow loads here, on the first upload).

    They read the header only (nothing is decoded), and unlike Image.open they do not apply Pillow's
    process-wide limit, which would end in an uncaught error or a warning instead of our own message.
    """
    from PIL import GifImagePlugin, JpegImagePlugin, PngImagePlugin

    return {"PNG": PngImagePlugin.PngImageFile, "JPEG": JpegImagePlugin.JpegImageFile,
            "GIF": GifImagePlugin.GifImageFile}


def _open(data: bytes) -> ImageFile.ImageFile:
    """Return the image with only its header read, or raise ImageError saying what is wrong with the file."""
    from PIL import Image

    for opener in _openers().values():
        try:
            return opener(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            # A GIF frame larger than the GIF's own size: Pillow's check fires before ours could.
            raise ImageError(_too_large()) from None
        except _UNREADABLE:
            continue
    Image.init()
    prefix = data[:16]
    if any(accept is not None and accept(prefix) for name, (_factory, accept) in Image.OPEN.items()
           if name not in _openers()):
        raise ImageError("Använd en JPEG-, PNG- eller GIF-bild.")
    raise ImageError(NOT_AN_IMAGE)  # not an image at all, or a broken one of the formats we take


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImageError(_too_large(width, height))


def _too_large(width: int | None = None, height: int | None = None) -> str:
    has = f"har {format_integer(width)} × {format_integer(height)}" if width and height else "har för många"
    return (f"Bilden {has} bildpunkter, men en bild får ha högst {MAX_PIXELS // 1_000_000} miljoner "
            f"bildpunkter (till exempel {format_integer(6000)} × {format_integer(4000)}). Gör bilden mindre och "
            "ladda upp den igen.")


def _scaled_down(image: ImageFile.ImageFile, size: tuple[int, int], mode: str) -> Image.Image:
    """Return `image` at `size` in `mode`, with as little of it in memory at full size as the format allows."""
    from PIL import Image

    if image.format == "JPEG":
        # A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size: a 6000 px photo is read at 1500 px.
        image.draft(image.mode, size)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert(mode)
    # Reduce by a whole factor first (cheap, and the full-size copy a conversion would make is never made).
    return image.resize(size, Image.LANCZOS, reducing_gap=3.0).convert(mode)


def _safe_name(filename: str, image_format: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", (filename or "bild").rsplit(".", 1)[0]).strip("-.")[:60] or "bild"
    return f"{stem}.{'jpg' if image_format == 'JPEG' else image_format.lower()}"
