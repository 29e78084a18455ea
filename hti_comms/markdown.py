"""Markdown written by staff, rendered with markdown-it-py and sanitised with nh3 (one rule for every domain).

Raw HTML in the Markdown is shown as text, never interpreted; the rendered HTML is then cleaned by nh3 with a
short allow-list, so a `<script>`, an event attribute or a `javascript:` link can never reach an email, a
preview or a public page. The links are returned too, with their visible text, for the pre-send checks.

A bare address in the text ("Länk till anmälan" and the address on a line of its own, `www.example.se`,
`eva@example.se`) is a link too (linkify-it-py): every mail program makes it clickable, so it is rendered as
a link, counted, and checked like any other. An address written without a scheme gets https.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

#: What staff can write: paragraphs, emphasis, lists, quotes, sub-headings, links, line breaks.
ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h3", "h4", "a", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Link:
    """A link in a text: its address and the words a reader (or a screen reader) sees."""

    url: str
    text: str


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    text: str
    links: tuple[Link, ...]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # markdown-it and linkify-it load here, on the first text rendered, not in every process's start-up.
    from linkify_it import LinkifyIt
    from markdown_it import MarkdownIt

    class HttpsLinkify(LinkifyIt):
        """linkify-it with https (not http) for an address written without a scheme ("www.example.se")."""

        def normalize(self, match):
            super().normalize(match)
            if not match.schema and match.url.startswith("http://"):
                match.url = "https://" + match.url[len("http://"):]

    # "html": False escapes raw HTML; headings are shifted down in render_markdown (a section has its own h2).
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    parser.linkify = HttpsLinkify()
    return parser.enable("linkify").disable("image")


def sanitise_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed (scripts, event attributes, bad schemes)."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=ALLOWED_SCHEMES,
                     link_rel=None, strip_comments=True)


def safe_link_url(url: str) -> str:
    """Return `url` trimmed if a reader may be sent there (http, https or mailto), else ""."""
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if url else ""
    if scheme not in ALLOWED_SCHEMES or any(ord(c) < 32 for c in url):
        return ""
    return url


def render_markdown(source: str, href: Callable[[Link], str] | None = None) -> RenderedMarkdown:
    """Return the sanitised HTML, a plain-text version and the links of a Markdown text.

    `href`, when given, maps each link (in order) to what goes in the HTML's href, e.g. a click-counting
    redirect; the plain text and the returned links keep the real addresses.
    """
    source = (source or "").replace("\r\n", "\n").replace("\x00", "")
    tokens = _parser().parse(source)
    text, links = _plain_text(tokens), tuple(_links(tokens))
    pending = iter(links)
    for token in tokens:
        # A section's title is its h2; headings inside the body become h3/h4 so the outline stays right.
        if token.type in ("heading_open", "heading_close"):
            level = min(4, max(3, int(token.tag[1]) + 2))
            token.tag = f"h{level}"
        elif href is not None and token.type == "inline":
            for child in token.children or ():
                if child.type == "link_open":
                    child.attrSet("href", href(next(pending)))
    html = sanitise_html(_parser().renderer.render(tokens, _parser().options, {}))
    return RenderedMarkdown(html=html, text=text, links=links)


def _links(tokens) -> list[Link]:
    found = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        href, words = None, []
        for child in token.children:
            if child.type == "link_open":
                href, words = child.attrGet("href") or "", []
            elif child.type == "link_close" and href is not None:
                found.append(Link(url=str(href), text=" ".join("".join(words).split())))
                href = None
            elif href is not None and child.type in ("text", "code_inline"):
                words.append(child.content)
    return found


def _plain_text(tokens) -> str:
    """Return readable text: paragraphs separated by blank lines, list items with "– ", links as "text (url)"."""
    blocks: list[str] = []
    prefix = ""
    for token in tokens:
        if token.type == "bullet_list_open":
            prefix = "– "
        elif token.type == "ordered_list_open":
            prefix = "• "
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            prefix = ""
        elif token.type == "inline":
            blocks.append(prefix + _inline_text(token.children or []))
    return "\n\n".join(b for b in blocks if b.strip())


def _inline_text(children) -> str:
    parts: list[str] = []
    href = None
    for child in children:
        if child.type == "link_open":
            # A bare address is its own text: "https://x.se (https://x.se)" would say it twice.
            href = None if child.markup == "linkify" else child.attrGet("href")
        elif child.type == "link_close":
            if href:
                parts.append(f" ({href})")
            href = None
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type in ("text", "code_inline"):
            parts.append(child.content)
    return "".join(parts).strip()
