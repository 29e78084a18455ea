"""The one rule for text and whole numbers that come in from outside: forms, query strings, URLs and files.

Text may hold no control characters except tab and line breaks. NUL cannot be stored in PostgreSQL at all
(SQLite keeps it and then nothing else can read the row), and none of the others means anything to a reader,
so they are refused where they come in, with a Swedish message, before any code sees them:
- every request: query string, form fields and uploaded file names (`init_app` installs the check), and the
  parts of a URL (the `string` converter refuses them, so such a URL is "not found");
- every file read by `hti_comms.tabular` (the importers), with the line and column named.

Text may also hold no bidirectional control character (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F
and U+061C). None belongs in Swedish text, and each turns the text around it where it is shown later: a name in a
staff list or an email subject with U+202E reads backwards from there on. Forms refuse them on every field
(`hti_comms.forms.Form`), and `check_text` refuses them in services that take text from elsewhere.

Whole numbers in URLs (`<int:…>`) and read with `request.args.get(…, type=int)` must fit a database integer;
a larger one is "not found" or the default, never an overflow deep in a query.
"""
from __future__ import annotations

import re

from flask import Flask, Request, render_template, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UnicodeConverter

#: The largest value of a PostgreSQL `integer` (every id column); SQLite's limit is larger.
MAX_INTEGER = 2**31 - 1
MIN_INTEGER = -(2**31)
#: C0 control characters except tab, line feed and carriage return; and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Bidirectional controls: embeddings and overrides, isolates, and the direction marks (see the module docstring).
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: What a reader is told about one (no code point: the readers are not programmers).
DIRECTION_PROBLEM = "ett osynligt tecken som vänder på textens riktning"


class BadInput(ValueError):
    """Input that cannot be accepted; the message is Swedish and names where the problem is."""


def control_character(text: str) -> str | None:
    """Return a Swedish name for the first forbidden control character in `text`, or None if there is none."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return "NUL-tecken" if code == 0 else f"styrtecken (kod {code})"


def direction_character(text: str) -> str | None:
    """Return the first bidirectional control character in `text` as "U+202E", or None if there is none."""
    found = _DIRECTION.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def check_text(text: str, where: str) -> str:
    """Return `text` if it holds no forbidden control or direction character, else raise BadInput naming `where`."""
    character = control_character(text)
    if character is not None:
        raise BadInput(f"{where} innehåller ett osynligt {character} som inte kan sparas. "
                       "Ta bort det och försök igen.")
    if direction_character(text) is not None:
        raise BadInput(f"{where} innehåller {DIRECTION_PROBLEM}. Ta bort det, eller skriv texten själv i stället "
                       "för att klistra in den, och försök igen.")
    return text


def whole_number(text: str | int) -> int:
    """Return `text` as a whole number that fits a database integer, or raise ValueError."""
    value = int(text)
    if not MIN_INTEGER <= value <= MAX_INTEGER:
        raise ValueError(f"{value} is outside a database integer")
    return value


def optional_whole_number(text: str | None) -> int | None:
    """Return `text` as a whole number that fits a database integer, or None for anything else."""
    try:
        return whole_number(text)
    except (TypeError, ValueError):
        return None


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form values where `get(name, type=int)` gives the default for a number too large to store."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        return super().get(key, default, whole_number if type is int else type)


class HtiRequest(Request):
    parameter_storage_class = BoundedMultiDict


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in a URL, refusing (404) numbers larger than a database integer."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """`<…>` / `<string:…>` in a URL, refusing (404) a part that holds a control character."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):  # noqa: A002 - werkzeug's signature
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]")


def _refuse_control_characters():
    """Answer 400 with a Swedish page if any query value, form field or file name holds a control character."""
    sources = [("Något i adressen", request.args)]
    if request.method in ("POST", "PUT", "PATCH"):
        sources.append(("Något i formuläret", request.form))
    for where, values in sources:
        for key, items in values.lists():
            if any(control_character(text) is not None for text in (key, *items)):
                return _bad_input(where)
    if request.method in ("POST", "PUT", "PATCH"):
        for upload in request.files.values():
            if upload.filename and control_character(upload.filename) is not None:
                return _bad_input("Filens namn")
    return None


def _bad_input(where: str):
    message = (f"{where} innehåller ett osynligt tecken (till exempel ett NUL-tecken) som inte kan sparas. "
               "Gå tillbaka, ta bort det och försök igen.")
    return render_template("web/errors/error.html", title="Otillåtet tecken", message=message), 400


def init_app(app: Flask) -> None:
    """Install the rule on `app`: its URL converters (before any route is added) and the request check."""
    app.request_class = HtiRequest
    app.url_map.converters.update(int=BoundedIntegerConverter, default=TextConverter, string=TextConverter)
    app.before_request(_refuse_control_characters)
