"""Hostile text for the tests that feed it to emails and pages, and a reader that finds it come alive as markup.

`HOSTILE` is what an attacker types into a field: an element carrying a marker attribute, an image with an
event handler, a script, and attribute breakers for both kinds of quotes and for an unquoted attribute.
Escaped, all of it is shown as text; `live_markup` lists what of it became elements or attributes instead.
"""
from __future__ import annotations

from html.parser import HTMLParser

#: The attribute every hostile element carries; templates never write it.
MARKER = "data-hostile"
HOSTILE = (f'<b {MARKER}>fet</b><img src=x {MARKER} onerror=alert(1)><script>alert(1)</script>'
           "\"onmouseover=alert(1) x=\"' onfocus='alert(1)' autofocus=")


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append("a <script> element")
        for name, value in attrs:
            if name == MARKER or name.startswith("on") or name == "autofocus":
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def live_markup(html: str) -> list[str]:
    """Return every element or attribute in `html` that came from hostile text (empty when all was escaped)."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def shown_text(html: str) -> str:
    """Return the text a reader sees in `html` (entities decoded), to prove the hostile text arrived as text."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return "".join(parser.text)
