"""Render an email template once per send (CSS inlined by premailer), then fill in each recipient cheaply.

Templates use `{{ recipient.name }}`, `{{ recipient.email }}`, `{{ recipient.fields.<key> }}`,
`{{ recipient.unsubscribe_url }}` and `{{ recipient.preferences_url }}`. They are rendered with placeholders
in those places, inlined once, and split at the placeholders; filling a recipient is a join of strings with
the values (HTML-escaped in the HTML part). Templates must therefore not branch on per-recipient values.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from flask import current_app
from lxml import html as lxml_html
from markupsafe import escape
from premailer import Premailer

from .. import links
from .mime import quoted_printable

_PLACEHOLDER = "HTIPH[{}]"
_PLACEHOLDER_PATTERN = re.compile(r"HTIPH\[([A-Za-z0-9_.\-]+)\]")
_CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
DOCTYPE = "<!DOCTYPE html>\n"
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


class _Filler:
    """A rendered text split at its placeholders, ready to be joined with one recipient's values."""

    def __init__(self, text: str, escape_values: bool):
        self.text = text
        parts = _PLACEHOLDER_PATTERN.split(text)
        self.literals = parts[0::2]
        self.keys = parts[1::2]
        self.escape_values = escape_values

    def fill(self, values: Mapping[str, str]) -> str:
        out = [self.literals[0]]
        for key, literal in zip(self.keys, self.literals[1:]):
            value = values.get(key, "")
            out.append(str(escape(value)) if self.escape_values else value)
            out.append(literal)
        return "".join(out)


class _EncodedFiller:
    """A rendered text already quoted-printable, except the lines that carry a recipient's values.

    Quoted-printable works line by line (a soft break never crosses a hard one), so the lines without a
    placeholder are encoded once per send and each message only encodes its few personal lines.
    """

    def __init__(self, text: str, escape_values: bool):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.segments: list[bytes | _Filler] = []
        constant: list[str] = []
        for line in text.splitlines(keepends=True):
            if _PLACEHOLDER_PATTERN.search(line) is None:
                constant.append(line)
                continue
            if constant:
                self.segments.append(quoted_printable("".join(constant)))
                constant = []
            self.segments.append(_Filler(line, escape_values))
        if constant:
            self.segments.append(quoted_printable("".join(constant)))

    def fill(self, values: Mapping[str, str]) -> bytes:
        return b"".join(segment if isinstance(segment, bytes) else quoted_printable(segment.fill(values))
                        for segment in self.segments)


class RenderedTemplate:
    """The HTML (CSS inlined) and text of one send, with placeholders for each recipient's values."""

    def __init__(self, html: _Filler, text: _Filler, keys: frozenset[str]):
        self.html = html
        self.text = text
        self.keys = keys
        self._encoded: tuple[_EncodedFiller, _EncodedFiller] | None = None

    def fill(self, values: Mapping[str, str]) -> tuple[str, str]:
        """Return (html, text) for one recipient."""
        return self.html.fill(values), self.text.fill(values)

    def fill_encoded(self, values: Mapping[str, str]) -> tuple[bytes, bytes]:
        """Return (html, text) for one recipient, quoted-printable: what the message body carries."""
        if self._encoded is None:
            self._encoded = (_EncodedFiller(self.html.text, True), _EncodedFiller(self.text.text, False))
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


def render_template_pair(template: str, context: Mapping[str, Any], *, subject: str,
                         list_key: str | None) -> RenderedTemplate:
    """Render templates/emails/<template>.html and .txt once, inline the CSS, and keep the placeholders."""
    env = current_app.jinja_env
    values = template_context(context, subject=subject, list_key=list_key)
    html = env.get_template(f"emails/{template}.html").render(values)
    text = env.get_template(f"emails/{template}.txt").render(values)
    inlined = inline_css(html)
    keys = frozenset(_PLACEHOLDER_PATTERN.findall(inlined)) | frozenset(_PLACEHOLDER_PATTERN.findall(text))
    return RenderedTemplate(html=_Filler(inlined, escape_values=True), text=_Filler(_tidy_text(text), False),
                            keys=keys)


class _SharedRulesPremailer(Premailer):
    """Premailer that turns each distinct stylesheet into rules once per process.

    Every send shares the base layout's stylesheet; premailer would re-serialise all its properties for every
    send, which was most of the cost of rendering a send. The options that shape the rules are the same for
    every instance made by `inline_css`, so the stylesheet text and its position are the whole key.
    """

    _rules_cache: dict[tuple[str, int], tuple] = {}
    _CACHE_SIZE = 64

    def _parse_style_rules(self, css_body, ruleset_index):
        key = (css_body, ruleset_index)
        cached = self._rules_cache.get(key)
        if cached is None:
            cached = super()._parse_style_rules(css_body, ruleset_index)
            if len(self._rules_cache) >= self._CACHE_SIZE:
                self._rules_cache.clear()
            self._rules_cache[key] = cached
        # premailer extends its own lists from these; hand out copies so the cached ones never change.
        rules, leftover = cached
        return list(rules), list(leftover)


def inline_css(html: str) -> str:
    """Inline the <style> rules with premailer; nothing outside the document is ever fetched or read."""
    document = lxml_html.document_fromstring(html)
    # premailer would leave <link> in place for the mail client to fetch; an email carries its own CSS.
    for link in document.xpath("//link"):
        link.getparent().remove(link)
    for style in document.xpath("//style"):
        if style.text:
            style.text = _CSS_IMPORT.sub("", style.text)
    cleaned = lxml_html.tostring(document, encoding="unicode")
    inliner = _SharedRulesPremailer(
        cleaned, base_url=None, allow_network=False, allow_loading_external_files=False,
        disable_validation=True, disable_link_rewrites=True, cssutils_logging_level=logging.CRITICAL,
    )
    return DOCTYPE + inliner.transform(pretty_print=False)


def _tidy_text(text: str) -> str:
    # Templates leave blank runs where blocks were; readers get at most one empty line in a row.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def recipient_values(keys: frozenset[str], *, email: str, name: str, fields: Mapping[str, str],
                     list_key: str | None) -> dict[str, str]:
    """Return the per-recipient values the template uses (tokens are only signed when needed)."""
    values: dict[str, str] = {}
    for key in keys:
        if key == "name":
            values[key] = name
        elif key == "email":
            values[key] = email
        elif key == "unsubscribe_url":
            values[key] = links.unsubscribe_url(email, list_key)
        elif key == "preferences_url":
            values[key] = links.preferences_url(email)
        elif key.startswith("fields."):
            values[key] = str(fields.get(key[len("fields."):], ""))
    return values


def render_preview(template: str, context: Mapping[str, Any], *, subject: str, list_key: str | None,
                   email: str, name: str = "", fields: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Return (html, text) as one recipient would get it (for previews and tests)."""
    rendered = render_template_pair(template, context, subject=subject, list_key=list_key)
    values = recipient_values(rendered.keys, email=email, name=name, fields=fields or {}, list_key=list_key)
    return rendered.fill(values)
