"""The "Kommande evenemang" section of a newsletter or circular: chosen events, each with its date in words,
its registration link (or "Ingen anmälan krävs") and a relative phrase computed when the email is rendered for
sending ("i morgon", "på torsdag", "redan nästa vecka", "om tre veckor"), never when it was written.
"""
from __future__ import annotations

from collections.abc import Mapping

from markupsafe import escape

from ..extensions import db
from ..formatting import relative_phrase
from ..markdown import Link
from ..newsletters.sections import (
    RenderContext, RenderedSection, SectionDataError, SectionKind, render_markdown_body,
)
from .links import event_url
from .models import Event, EventKind, RegistrationMode
from .services import upcoming_events
from .wording import when_text


def circular_phrase(event: Event, context: RenderContext) -> str:
    """Return how soon the event is as of the send: 'redan nästa vecka' stresses that it is near."""
    if event.starts_at <= context.now < event.ends_at:
        return "pågår nu"
    phrase = relative_phrase(event.starts_at, now=context.now)
    return "redan nästa vecka" if phrase == "nästa vecka" else phrase


def _registration(event: Event) -> tuple[str, Link | None]:
    """Return the registration sentence ("" when the link says it all) and its link (None: no link).

    The sentence and the link text are read one after the other ("Ingen anmälan krävs. Se sändningen av …"),
    so neither repeats the other.
    """
    if event.kind is EventKind.WEBBSANDNING or event.registration_mode is RegistrationMode.NONE:
        if event.stream_url:
            return "Ingen anmälan krävs.", Link(event.stream_url, f"Se sändningen av {event.title}")
        return "Ingen anmälan krävs.", None
    if event.registration_mode is RegistrationMode.EXTERNAL:
        return "", Link(event.registration_url, f"Anmäl dig till {event.title}")
    return "", Link(event_url(event.id), f"Anmäl dig till {event.title}")


def render_events(section, context: RenderContext) -> RenderedSection:
    """Render the chosen events as of `context.now` (called at send time, for previews and tests too)."""
    intro = render_markdown_body(section.body, context) if section.body.strip() else None
    html = [intro.html] if intro else []
    text = [intro.text] if intro else []
    links = list(intro.links) if intro else []
    for event in chosen_events(section.data):
        when, soon = when_text(event, context.now), circular_phrase(event, context)
        sentence, link = _registration(event)
        speakers = ", ".join(f"{s.name} ({s.title})" if s.title else s.name for s in event.speakers)
        state = "Inställt: " if event.is_cancelled else ""
        html.append(f"<h3>{escape(state + event.title)}</h3>")
        html.append(f"<p><strong>{escape(when[:1].upper() + when[1:])}</strong> – {escape(soon)}.</p>")
        text.append(f"{state}{event.title}\n{when[:1].upper() + when[1:]} – {soon}.")
        if speakers:
            html.append(f"<p>Medverkande: {escape(speakers)}</p>")
            text.append(f"Medverkande: {speakers}")
        if event.is_cancelled:
            continue
        if link is None:
            html.append(f"<p>{escape(sentence)}</p>")
            text.append(sentence)
        else:
            lead = f"{escape(sentence)} " if sentence else ""
            html.append(f'<p>{lead}<a href="{escape(context.href(link.url, link.text))}">{escape(link.text)}</a></p>')
            text.append(f"{sentence} {link.text}:\n{link.url}".lstrip())
            links.append(link)
    return RenderedSection(html="\n".join(html), text="\n\n".join(text), links=tuple(links))


def chosen_events(data: Mapping) -> list[Event]:
    """Return the section's events in the order they happen (an event deleted since is left out)."""
    ids = [int(i) for i in (data or {}).get("event_ids", []) if str(i).isdigit()]
    events = [db.session.get(Event, event_id) for event_id in ids]
    return sorted((e for e in events if e is not None), key=lambda e: (e.starts_at, e.id))


def read_event_choices(form: Mapping) -> dict:
    """Return the section data from the staff form's ticked events."""
    values = form.getlist("event_ids") if hasattr(form, "getlist") else form.get("event_ids", [])
    ids = sorted({int(v) for v in values if str(v).isdigit()})
    if not ids:
        raise SectionDataError("Kommande evenemang: kryssa för minst ett evenemang.")
    return {"event_ids": ids}


def upcoming_event_choices() -> dict:
    return {"event_choices": [(e.id, f"{e.title} – {when_text(e)}") for e in upcoming_events(include_cancelled=False)]}


EVENTS_SECTION = SectionKind(
    key="events", label="Kommande evenemang", render=render_events,
    form_template="web/events/_newsletter_section.html", read_form=read_event_choices,
    form_context=upcoming_event_choices,
    help="Välj evenemang. Datum, anmälningslänk och hur snart det är (”i morgon”, ”redan nästa vecka”) skrivs "
         "när brevet skickas. Texten ovan blir en inledning.")
