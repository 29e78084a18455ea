"""What a letter says: the content of the email's text part, laid out with headings for paper.

The text part is the email as words only, so it has nothing that works only on a screen; the greeting block's
unsubscribe and preference links sit outside its `content` block and are left out. A line in capitals
("RESULTATET I KORTHET") is a heading in every text template, and becomes one on paper. A local brief keeps
its bar chart and its table (`from_local_brief`).
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup, escape

from ..delivery.outbox import EmailSpec
from ..delivery.render import email_template, template_context

_PLACEHOLDER = re.compile(r"HTIPH\[[^\]]*\]")
_LIST_ITEM = re.compile(r"^(?:- |\d+\. )")


@dataclass(frozen=True)
class LetterContent:
    """The title and the body (HTML) of the letters of one send."""

    title: str
    body_html: str


def text_content(spec: EmailSpec) -> str:
    """Return the `content` block of the email's text part, without any per-recipient placeholder."""
    template = email_template(spec.template, "txt")
    context = template.new_context(template_context(spec.context, subject=spec.subject, list_key=spec.list_key))
    text = "".join(template.blocks["content"](context))
    return _PLACEHOLDER.sub("", text)


def _is_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters) and not _LIST_ITEM.match(line)


def text_to_html(text: str) -> str:
    """Return the text as HTML: capital lines as headings, "- " and "1. " lines as lists, the rest as paragraphs."""
    parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    ordered = False

    def flush() -> None:
        nonlocal ordered
        if paragraph:
            parts.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()
        if items:
            tag = "ol" if ordered else "ul"
            parts.append(f"<{tag}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>")
            items.clear()

    first_heading = True
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif _is_heading(line):
            flush()
            tag = "h1" if first_heading else "h2"
            first_heading = False
            # Capitals are how plain text shouts a heading; on paper the heading's size says it.
            parts.append(f"<{tag}>{escape(line[:1] + line[1:].lower())}</{tag}>")
        elif _LIST_ITEM.match(line):
            if paragraph:
                flush()
            ordered = line[0].isdigit()
            items.append(str(escape(_LIST_ITEM.sub("", line, count=1))))
        else:
            if items:
                flush()
            paragraph.append(str(escape(line)))
    flush()
    return "\n".join(parts)


def from_email(spec: EmailSpec) -> LetterContent:
    """Return the letter of an email: its subject as the title, its text part's content as the body."""
    return LetterContent(title=spec.subject, body_html=text_to_html(text_content(spec)))


def from_local_brief(spec: EmailSpec, chart_png: bytes | None) -> LetterContent:
    """Return the letter of a local brief: the printable brief's content, bar chart and table included."""
    chart_src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii") if chart_png else None
    body = render_template("emails/briefs/_local_brief_content.html", brief=spec.context["brief"], chart_src=chart_src)
    return LetterContent(title=spec.subject, body_html=str(Markup(body)))
