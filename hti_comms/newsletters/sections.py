"""Section kinds: how a newsletter section is written (staff form) and rendered (when the email is rendered).

The built-in kind "text" is a Markdown body. Another domain adds a kind by declaring it in its `Domain`
(`section_kinds=(".newsletter_section:EVENTS_SECTION",)`; see the README, "Newsletter section kinds"), so each
app has exactly the kinds of the domains it was built with:

    from hti_comms.newsletters.sections import RenderedSection, SectionKind

    EVENTS_SECTION = SectionKind(
        key="events", label="Kommande evenemang", render=render_events,
        form_template="web/events/_newsletter_section.html", read_form=read_event_choices,
        form_context=upcoming_event_choices)

`render(section, context)` is called every time the email is rendered: for the preview, for a test send and
once when the real send starts (`context.now` is that moment, so relative phrases such as "i morgon" are
right on the day the email goes out, not the day it was written). What it returns is stored for the web
archive, so the archive shows the words that were sent.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..checks import Finding
from ..markdown import Link, render_markdown


@dataclass(frozen=True)
class RenderContext:
    """What a section's render function gets besides the section."""

    #: The moment the email is rendered (UTC): when it is sent, or now for a preview or test.
    now: datetime
    #: Return the href to put in the HTML for a link (url, link text): a counting redirect in the real send,
    #: the url itself in previews, tests and the archive. Use it for every link; the text part keeps the url.
    href: Callable[[str, str], str]
    #: "send", "test", "preview" or "archive".
    purpose: str = "preview"


@dataclass(frozen=True)
class RenderedSection:
    """A section's body as a reader gets it: sanitised HTML, plain text, and its links (for the checks)."""

    html: str
    text: str
    links: tuple[Link, ...] = ()


class SectionDataError(ValueError):
    """The staff form of a section kind has a problem; the message is Swedish and names the field."""


@dataclass(frozen=True)
class SectionKind:
    """A kind of section another domain can contribute (see the module docstring)."""

    key: str
    #: Swedish, shown where staff add a section ("Lägg till: Text, Kommande evenemang").
    label: str
    #: (section, RenderContext) -> RenderedSection; called at render time, never at writing time.
    render: Callable[[Any, RenderContext], RenderedSection]
    #: A template fragment included in the section form (its fields are posted with the form), or None.
    form_template: str | None = None
    #: (form data: a MultiDict) -> dict stored as section.data; raise SectionDataError for bad input.
    read_form: Callable[[Mapping], dict] | None = None
    #: () -> dict of extra template variables for the form fragment (e.g. the events to choose from).
    form_context: Callable[[], dict] | None = None
    #: (section, RenderContext) -> list[Finding]: the kind's own pre-send checks (optional).
    check: Callable[[Any, RenderContext], list[Finding]] | None = None
    #: Whether the section form shows the Markdown body field for this kind.
    uses_body: bool = True
    #: A short Swedish help text shown at the top of the section form.
    help: str = ""


def section_kinds() -> dict[str, SectionKind]:
    """Return the current app's section kinds by key (the domains' `section_kinds`), the built-in text first."""
    from ..domain import registry

    return registry().section_kinds


def section_kind(key: str) -> SectionKind | None:
    return section_kinds().get(key)


def kind_choices() -> list[tuple[str, str]]:
    """Return (key, Swedish label) of every section kind, the built-in text first."""
    kinds = section_kinds()
    return [(kind.key, kind.label) for kind in sorted(kinds.values(), key=lambda kind: kind.key != TEXT.key)]


def render_markdown_body(source: str, context: RenderContext) -> RenderedSection:
    """Render Markdown for a section, every link's href passed through `context.href`."""
    rendered = render_markdown(source, href=lambda link: context.href(link.url, link.text))
    return RenderedSection(html=rendered.html, text=rendered.text, links=rendered.links)


def _render_text(section, context: RenderContext) -> RenderedSection:
    return render_markdown_body(section.body, context)


TEXT = SectionKind(
    key="text", label="Text", render=_render_text,
    help="Skriv texten nedan. Förhandsvisningen bredvid visar hur den blir i brevet.")
