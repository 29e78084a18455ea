"""Render an email template once per send (CSS inlined by premailer), then fill in each recipient cheaply.

Templates use `{{ recipient.name }}`, `{{ recipient.email }}`, `{{ recipient.fields.<key> }}`,
`{{ recipient.unsubscribe_url }}` and `{{ recipient.preferences_url }}`. They are rendered with placeholders
in those places, inlined once, and split at the placeholders; filling a recipient is a join of strings with
the values (HTML-escaped in the HTML part). Templates must therefore not branch on per-recipient values.

A *personal attachment* (`Attachment(is_personal=True)`, e.g. a calendar invitation whose ATTENDEE differs per
person) holds the same placeholders in its text; `personal_attachments` fills them per recipient the same way.

The HTML part is rendered in an environment of its own that escapes every value, whatever the name of the
file it comes from: a piece shared by both parts (`events/_reason.txt`) is escaped when the HTML part
includes it and left as typed in the text part. Which escaping applies is decided by the part being made,
never by the file name of a piece it includes (Flask escapes only in files named .html).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from jinja2 import Environment, Template
from markupsafe import escape

from .. import links
from .encoding import quoted_printable

_PLACEHOLDER = "HTIPH[{}]"
_PLACEHOLDER_PATTERN = re.compile(r"HTIPH\[([A-Za-z0-9_.\-]+)\]")
RECIPIENT_KEYS = ("name", "email", "unsubscribe_url", "preferences_url")


class _FieldPlaceholders:
    """Stands in for recipient.fields while rendering: every key becomes a placeholder."""

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):
            raise AttributeError(key)
        return _PLACEHOLDER.format("fields." + key)

    __getitem__ = __getattr__


class _RecipientPlaceholders:
    """Stands in for the recipient while rendering."""

    fields = _FieldPlaceholders()

    def __getattr__(self, key: str) -> str:
        if key not in RECIPIENT_KEYS:
            raise AttributeError(f"recipient has no {key!r}; per-recipient values go in recipient.fields")
        return _PLACEHOLDER.format(key)


def _escaped(value: str) -> str:
    # A plain str: a Markup would escape the literal text it is added to.
    return str(escape(value))


class _Filler:
    """A rendered text split at its placeholders, ready to be joined with one recipient's values."""

    def __init__(self, text: str, escape_values: bool, encode: Callable[[str], str] | None = None):
        self.source = text
        parts = _PLACEHOLDER_PATTERN.split(text)
        self.literals = parts[0::2]
        self.keys = parts[1::2]
        self.encode = encode or (_escaped if escape_values else None)
        self._pairs = tuple(zip(self.keys, self.literals[1:]))

    def fill(self, values: Mapping[str, str]) -> str:
        encode = self.encode
        if len(self._pairs) == 1:
            # Most personal lines carry one value: two concatenations cost less than a list and a join.
            key, literal = self._pairs[0]
            value = values.get(key, "")
            return self.literals[0] + (encode(value) if encode else value) + literal
        out = [self.literals[0]]
        for key, literal in self._pairs:
            value = values.get(key, "")
            out.append(encode(value) if encode else value)
            out.append(literal)
        return "".join(out)


class _EncodedFiller:
    """A rendered text already quoted-printable, except the lines that carry a recipient's values.

    Quoted-printable works line by line (a soft break never crosses a hard one), so the lines without a
    placeholder are encoded once per send and each message only encodes its few personal lines.
    """

    def __init__(self, text: str, escape_values: bool):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        #: The encoded constant runs, with None where a personal line goes ...
        self.pieces: list[bytes | None] = []
        #: ... and (position in `pieces`, the line to fill) for each of those.
        self.personal: list[tuple[int, _Filler]] = []
        constant: list[str] = []
        for line in text.splitlines(keepends=True):
            if _PLACEHOLDER_PATTERN.search(line) is None:
                constant.append(line)
                continue
            if constant:
                self.pieces.append(quoted_printable("".join(constant)))
                constant = []
            self.personal.append((len(self.pieces), _Filler(line, escape_values)))
            self.pieces.append(None)
        if constant:
            self.pieces.append(quoted_printable("".join(constant)))

    def fill(self, values: Mapping[str, str]) -> bytes:
        pieces = self.pieces.copy()
        for position, line in self.personal:
            pieces[position] = quoted_printable(line.fill(values))
        return b"".join(pieces)


class RenderedTemplate:
    """The HTML (CSS inlined) and text of one send, with placeholders for each recipient's values."""

    def __init__(self, html: _Filler, text: _Filler, keys: frozenset[str]):
        self.html = html
        self.text = text
        self.keys = keys
        self._encoded: tuple[_EncodedFiller, _EncodedFiller] | None = None
        #: What else an example message was built from successfully with this rendering
        #: (`outbox.check_buildable`), or None.
        self.built_with: tuple | None = None

    def fill(self, values: Mapping[str, str]) -> tuple[str, str]:
        """Return (html, text) for one recipient."""
        return self.html.fill(values), self.text.fill(values)

    @property
    def parts(self) -> tuple[str, str]:
        """Return (html, text) with the placeholders, to be kept and given back to `from_parts`."""
        return self.html.source, self.text.source

    @classmethod
    def from_parts(cls, html: str, text: str) -> RenderedTemplate:
        """Return the rendering whose `parts` were (html, text): CSS already inlined, placeholders in place."""
        html_filler, text_filler = _Filler(html, escape_values=True), _Filler(text, escape_values=False)
        return cls(html=html_filler, text=text_filler, keys=frozenset(html_filler.keys) | frozenset(text_filler.keys))

    def fill_encoded(self, values: Mapping[str, str]) -> tuple[bytes, bytes]:
        """Return (html, text) for one recipient, quoted-printable: what the message body carries."""
        if self._encoded is None:
            self._encoded = (_EncodedFiller(self.html.source, True), _EncodedFiller(self.text.source, False))
        html, text = self._encoded
        return html.fill(values), text.fill(values)


def template_context(context: Mapping[str, Any], *, subject: str, list_key: str | None) -> dict[str, Any]:
    """Return what every email template sees besides its own context."""
    return {
        **context,
        "recipient": _RecipientPlaceholders(),
        "subject": subject,
        "list_key": list_key,
        "is_list_mail": list_key is not None,
        "base_url": current_app.config["BASE_URL"],
    }


#: Jinja's default cache size, for the HTML environment's own cache.
_HTML_TEMPLATE_CACHE_SIZE = 400


def _html_environment() -> Environment:
    """Return the app's template environment with escaping on for every template (made once per app)."""
    environment = current_app.extensions.get("hti_email_html_environment")
    if environment is None:
        # An overlay shares the loader, filters and globals; its own cache keeps the escaped compilation of a
        # .txt piece apart from the unescaped one the text part uses.
        environment = current_app.jinja_env.overlay(autoescape=True, cache_size=_HTML_TEMPLATE_CACHE_SIZE)
        environment = current_app.extensions.setdefault("hti_email_html_environment", environment)
    return environment


def email_template(template: str, part: str) -> Template:
    """Return templates/emails/<template>.<part> ("html" or "txt"), compiled to escape as that part needs."""
    if part == "html":
        return _html_environment().get_template(f"emails/{template}.html")
    if part == "txt":
        return current_app.jinja_env.get_template(f"emails/{template}.txt")
    raise ValueError(f"an email has an html and a txt part, not {part!r}")


def render_template_pair(template: str, context: Mapping[str, Any], *, subject: str,
                         list_key: str | None) -> RenderedTemplate:
    """Render templates/emails/<template>.html and .txt once, inline the CSS, and keep the placeholders."""
    values = template_context(context, subject=subject, list_key=list_key)
    html = email_template(template, "html").render(values)
    text = email_template(template, "txt").render(values)
    return RenderedTemplate.from_parts(inline_css(html), _tidy_text(text))


def rendering_of(send) -> RenderedTemplate:
    """Return what a send's messages are made from: the rendering its sender checked and kept on it
    (`Send.rendered_html`/`rendered_text`), or else its templates rendered with its context now."""
    if send.rendered_html is not None and send.rendered_text is not None:
        return RenderedTemplate.from_parts(send.rendered_html, send.rendered_text)
    return render_template_pair(send.template, send.context or {}, subject=send.subject, list_key=send.list_key)


def inline_css(html: str) -> str:
    """Inline the <style> rules with premailer; nothing outside the document is ever fetched or read."""
    from .inlining import inline  # premailer is imported by the processes that render, when they first do

    return inline(html)


def _tidy_text(text: str) -> str:
    # Templates leave blank runs where blocks were; readers get at most one empty line in a row.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def recipient_values(keys: frozenset[str], *, email: str, name: str, fields: Mapping[str, str],
                     list_key: str | None, link_key: str | None = None) -> dict[str, str]:
    """Return the per-recipient values the template uses (tokens are only signed when needed).

    `link_key` names the recipient in their links (`Contact.link_key`); without one (a preview, an address
    that is no contact) the links lead to a page saying they are no longer valid.
    """
    values: dict[str, str] = {}
    for key in keys:
        if key == "name":
            values[key] = name
        elif key == "email":
            values[key] = email
        elif key == "unsubscribe_url":
            values[key] = links.unsubscribe_url(link_key, list_key)
        elif key == "preferences_url":
            values[key] = links.preferences_url(link_key)
        elif key.startswith("fields."):
            values[key] = str(fields.get(key[len("fields."):], ""))
    return values


def render_preview(template: str, context: Mapping[str, Any], *, subject: str, list_key: str | None,
                   email: str, name: str = "", fields: Mapping[str, str] | None = None,
                   link_key: str | None = None, rendered: RenderedTemplate | None = None) -> tuple[str, str]:
    """Return (html, text) as one recipient would get it (for previews and tests); pass `rendered` if made."""
    if rendered is None:
        rendered = render_template_pair(template, context, subject=subject, list_key=list_key)
    values = recipient_values(rendered.keys, email=email, name=name, fields=fields or {}, list_key=list_key,
                              link_key=link_key)
    return rendered.fill(values)
