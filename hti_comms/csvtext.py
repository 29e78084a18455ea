"""The text of a CSV file: which encoding it is in (checked), and its lines, decoded a chunk at a time.

Excel saves CSV in UTF-8 (with or without a BOM), UTF-16 ("Unicode text") or Windows-1252. A file that mixes
UTF-8 and Windows-1252 lines is refused with the lines named: guessing per line could garble names silently,
and the fix, saving as "CSV UTF-8", is one click for staff.

The text is never held all at once: a 19 MB file decoded whole, copied into a StringIO (four bytes a
character) and split took hundreds of MB. Checking the encoding decodes a chunk at a time and keeps nothing;
reading decodes a chunk at a time and yields its lines, so what a reader keeps is what it makes of the rows.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from .formatting import format_integer
from .inputs import control_character

#: Bytes decoded at a time.
CHUNK_BYTES = 1 << 20
#: The longest line a file may have; a row of contacts or results is a few hundred characters.
MAX_LINE_CHARACTERS = 1_000_000
#: Line numbers named in a message about mixed encodings.
NAMED_LINES = 5
#: A line and its end, as universal newlines split them ("\n", "\r\n" or a lone "\r").
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


class TextError(ValueError):
    """The file cannot be read as text; the message is Swedish and names the line where it can."""


def _line_list(numbers: list[int], total: int) -> str:
    """Return 'rad 4' or 'raderna 4, 7, … och 3 till' for the first lines of `total`."""
    shown = ", ".join(str(n) for n in numbers[:NAMED_LINES])
    more = f" och {total - NAMED_LINES} till" if total > NAMED_LINES else ""
    return f"rad {shown}{more}" if total == 1 else f"raderna {shown}{more}"


def _utf16_without_bom(data: bytes) -> str | None:
    """Return "utf-16-le"/"utf-16-be" if the start of the file is plainly UTF-16 text without a BOM, else None."""
    sample = data[:4000]
    even, odd = sample[0::2], sample[1::2]
    if len(sample) >= 4 and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _chunks(data: bytes, codec: str, start: int) -> Iterator[str]:
    """Yield the text of data[start:] decoded with `codec`, a chunk at a time (UnicodeDecodeError as it comes)."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(data)
    for offset in range(start, len(data), CHUNK_BYTES):
        # Bytes of a character cut at the end of the last chunk are kept by the decoder and counted from here.
        position = offset - len(decoder.getstate()[0])
        try:
            yield decoder.decode(view[offset:offset + CHUNK_BYTES], final=offset + CHUNK_BYTES >= len(data))
        except UnicodeDecodeError as exc:
            exc.start += position  # where in `data`, for the message
            raise


def _first_error(data: bytes, codec: str, start: int) -> int | None:
    """Return the byte position of the first place `data` cannot be decoded with `codec`, or None."""
    try:
        for _text in _chunks(data, codec, start):
            pass
    except UnicodeDecodeError as exc:
        return exc.start
    return None


def _check_utf16(data: bytes, codec: str, name: str) -> None:
    error = _first_error(data, codec, 0)
    if error is not None:
        line = data[:error].decode(codec, errors="replace").count("\n") + 1
        raise TextError(f"Filen är sparad som {name}, men rad {line} går inte att läsa som det. Spara filen "
                         "igen som ”CSV UTF-8” och försök på nytt.")


def _byte_lines(data: bytes, start: int) -> Iterator[bytes]:
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        yield data[start:end]
        start = end + 1


def encoding_of(data: bytes) -> tuple[str, str, int]:
    """Return the codec to read the file with, the encoding's name ("utf-8-sig" for UTF-8 with a BOM), and
    where the text starts; raise TextError naming the problem when the file cannot be read as text.

    The whole file is decoded here, a chunk at a time, only to check it.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _check_utf16(data, "utf-16", "UTF-16")
        return "utf-16", "utf-16", 0
    codec = _utf16_without_bom(data)
    if codec is not None:
        _check_utf16(data, codec, "UTF-16 (utan BOM)")
        return codec, codec, 0
    has_bom = data.startswith(codecs.BOM_UTF8)
    start = 3 if has_bom else 0
    if _first_error(data, "utf-8", start) is None:
        return "utf-8", "utf-8-sig" if has_bom else "utf-8", start
    has_utf8_lines, other_lines, others = False, [], 0
    for number, line in enumerate(_byte_lines(data, start), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            others += 1
            if len(other_lines) < NAMED_LINES:
                other_lines.append(number)
        else:
            has_utf8_lines = True
    if has_utf8_lines or has_bom:
        raise TextError(
            f"Filen blandar teckenkodningar: {_line_list(other_lines, others)} är inte sparade som UTF-8 som "
            "resten av filen (troligen Windows-1252), så bokstäver som å, ä och ö skulle bli fel. Spara filen som "
            "”CSV UTF-8” i Excel och försök igen.")
    # Excel on Windows saves "CSV" in Windows-1252 unless told otherwise.
    error = _first_error(data, "cp1252", start)
    if error is not None:
        line = data.count(b"\n", start, error) + 1
        raise TextError(f"Rad {line} innehåller tecken som varken är UTF-8 eller Windows-1252. Spara filen som "
                         "”CSV UTF-8” och försök igen.")
    return "cp1252", "cp1252", start


class TextLines:
    """The lines of a file's text (ends kept, as csv.reader wants them), decoded as they are read.

    `has_control_character` says whether any text decoded so far holds one (hti_comms.inputs): a line is only
    yielded after the chunk it ends in was looked at.
    """

    def __init__(self, data: bytes, codec: str, start: int):
        self._chunks = _chunks(data, codec, start)
        self.has_control_character = False

    def __iter__(self) -> Iterator[str]:
        pending, number = "", 0
        for chunk in self._chunks:
            if not self.has_control_character and control_character(chunk) is not None:
                self.has_control_character = True
            text, position = pending + chunk, 0
            for match in _LINE.finditer(text):
                if match.end() == len(text) and text.endswith("\r"):
                    break  # the "\n" of a "\r\n" may start the next chunk
                number += 1
                yield match.group()
                position = match.end()
            pending = text[position:]
            if len(pending) > MAX_LINE_CHARACTERS:
                raise TextError(f"Rad {number + 1} är längre än {format_integer(MAX_LINE_CHARACTERS)} tecken. "
                                "Filen är troligen inte en tabell; spara den som CSV eller Excel och försök igen.")
        if pending:
            yield pending
