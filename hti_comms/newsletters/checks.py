"""Pre-send checks of a newsletter or circular: run on preview, on `check` and when the send starts.

Errors block sending; warnings need an explicit confirmation (their texts are stored with the schedule).
"""
from __future__ import annotations

from datetime import datetime

from jinja2 import TemplateError
from sqlalchemy import func, select

from .. import clock
from ..checks import Finding, Level, error, warning
from ..delivery.render import email_template, template_context
from ..extensions import db
from ..linkcheck import check_links
from ..release import Content, check_content
from ..subscribers.models import MailingList
from .audience import chosen_audiences, letter_count, recipient_count, result_selections
from .models import Newsletter, NewsletterKind, NewsletterStatus, repeated_number
from .render import RenderedNewsletter, render_newsletter, template_name
from .sections import RenderContext, section_kind

SUBJECT_MAX = 100


def check_newsletter(newsletter: Newsletter, send_at: datetime | None = None,
                     rendered: RenderedNewsletter | None = None) -> list[Finding]:
    """Return every finding about the newsletter as it would go out at `send_at` (default now), errors first."""
    send_at = send_at or clock.now()
    rendered = rendered or render_newsletter(newsletter, purpose="preview")
    findings: list[Finding] = []
    findings += _subject(newsletter)
    findings += _number_in_subject(newsletter)
    findings += _numbering(newsletter) if newsletter.kind is NewsletterKind.NEWSLETTER else _letter(newsletter)
    findings += _sections(newsletter, rendered)
    findings += check_links(rendered.checked_links)
    findings += _audience(newsletter)
    findings += _unsubscribe_link(newsletter, rendered)
    audiences = chosen_audiences(newsletter)[0]
    findings += check_content(Content(text=rendered.plain_text, send_at=send_at, kind=newsletter.kind.value,
                                      audience=(newsletter.list_key, *(a.name for a in audiences)),
                                      result_selections=result_selections(audiences)))
    return sorted(findings, key=lambda f: f.level is not Level.ERROR)


def blocking(findings: list[Finding], confirmed: list[str] | set[str]) -> list[Finding]:
    """Return the findings that stop a send: every error, and warnings nobody confirmed."""
    return [f for f in findings if f.is_error or f.message not in set(confirmed)]


def _subject(newsletter: Newsletter) -> list[Finding]:
    subject = newsletter.subject.strip()
    if not subject:
        return [error("Ämnesrad", "Ämnesraden saknas. Skriv vad brevet handlar om.")]
    if len(subject) > SUBJECT_MAX:
        return [error("Ämnesrad", f"Ämnesraden har {len(subject)} tecken; den får ha högst {SUBJECT_MAX}. "
                                  "Långa ämnesrader klipps av i e-postprogrammen.")]
    return []


def _number_in_subject(newsletter: Newsletter) -> list[Finding]:
    """Warn when a newsletter's subject repeats its number, which is added by itself (heading, archive, lists)."""
    repeat = (repeated_number(newsletter.subject, newsletter.number)
              if newsletter.kind is NewsletterKind.NEWSLETTER else None)
    if repeat is None:
        return []
    return [warning("Ämnesrad", f"Ämnesraden innehåller ”{repeat}”. Numret läggs till av sig självt: brevets "
                                f"rubrik är ”{newsletter.title}”, och arkivet och listorna skriver numret före "
                                "ämnesraden. Skriv bara vad brevet handlar om.")]


def _numbering(newsletter: Newsletter) -> list[Finding]:
    if not newsletter.number:
        return [error("Nummer", "Nyhetsbrevet saknar nummer.")]
    taken = db.session.scalar(select(func.count()).select_from(Newsletter).where(
        Newsletter.kind == NewsletterKind.NEWSLETTER, Newsletter.number == newsletter.number,
        Newsletter.id != newsletter.id,
        Newsletter.status.in_((NewsletterStatus.SCHEDULED, NewsletterStatus.SENDING, NewsletterStatus.SENT))))
    if taken:
        return [error("Nummer", f"Nummer {newsletter.number} används redan av ett annat nyhetsbrev som är "
                                "schemalagt eller skickat.")]
    last = db.session.scalar(select(func.max(Newsletter.number)).where(
        Newsletter.kind == NewsletterKind.NEWSLETTER, Newsletter.id != newsletter.id,
        Newsletter.status.in_((NewsletterStatus.SENDING, NewsletterStatus.SENT))))
    if last is not None and newsletter.number != last + 1:
        return [warning("Nummer", f"Det senast skickade nyhetsbrevet var #{last}; det här har #{newsletter.number}, "
                                  f"inte #{last + 1}.")]
    return []


def _letter(newsletter: Newsletter) -> list[Finding]:
    findings = []
    if not newsletter.heading.strip():
        findings.append(error("Rubrik", "Cirkuläret saknar rubrik."))
    if not newsletter.addressee.strip():
        findings.append(error("Till", "Skriv vilka cirkuläret vänder sig till (raden ”Till …”)."))
    if newsletter.letter_date is None:
        findings.append(error("Datum", "Cirkuläret saknar datum."))
    if not newsletter.signature_name.strip():
        findings.append(error("Underskrift", "Skriv namnet på den som skriver under."))
    elif not newsletter.signature_title.strip():
        findings.append(warning("Underskrift", "Underskriften saknar titel (till exempel ”projektledare”)."))
    return findings


def _sections(newsletter: Newsletter, rendered: RenderedNewsletter) -> list[Finding]:
    findings = [error(place, message) for place, message in rendered.problems]
    if not newsletter.sections:
        findings.append(error("Avsnitt", "Brevet har inga avsnitt. Lägg till minst ett."))
    context = RenderContext(now=clock.now(), href=lambda url, text: url, purpose="preview")
    for section, rendered_section in zip(newsletter.sections, rendered.context["sections"]):
        place = f"Avsnitt {section.position + 1}"
        if section.title.strip():
            place += f" ”{section.title.strip()}”"
        else:
            findings.append(error(place, "Avsnittet saknar rubrik."))
        kind = section_kind(section.kind)
        if kind is not None and kind.uses_body and section.kind == "text" and not section.body.strip():
            findings.append(error(place, "Avsnittet har ingen text."))
        if section.image is not None and not section.image_alt.strip():
            findings.append(error(f"{place}: bild", "Bilden saknar alternativtext. Beskriv vad bilden visar, "
                                                    "för den som inte kan se den."))
        if section.link_url.strip() and not section.link_text.strip():
            findings.append(error(f"{place}: Läs mer-länk", "Skriv vad läsaren hittar bakom länken, till exempel "
                                                            "”Läs hela rapporten om hemtjänsten”."))
        if section.link_text.strip() and not section.link_url.strip():
            findings.append(error(f"{place}: Läs mer-länk", "Länktexten saknar adress."))
        if kind is not None and kind.check is not None:
            findings.extend(kind.check(section, context))
    return findings


def _audience(newsletter: Newsletter) -> list[Finding]:
    findings = []
    if db.session.scalar(select(MailingList.id).where(MailingList.key == newsletter.list_key)) is None:
        return [error("Lista", f"Listan ”{newsletter.list_key}” finns inte. Välj en lista.")]
    _audiences, missing = chosen_audiences(newsletter)
    if missing:
        findings.append(error("Målgrupp", f"{len(missing)} av de valda målgrupperna finns inte längre. "
                                          "Välj målgrupper igen."))
    if recipient_count(newsletter) == 0 and letter_count(newsletter) == 0:
        findings.append(error("Mottagare", "Ingen får brevet: listan och målgrupperna har inga mottagare just nu."))
    return findings


def _unsubscribe_link(newsletter: Newsletter, rendered: RenderedNewsletter) -> list[Finding]:
    """Render the real email templates and make sure both parts carry the personal unsubscribe link.

    The placeholders are the same before and after CSS inlining, so the costly inlining is left out here.
    """
    values = template_context(rendered.context, subject=newsletter.subject, list_key=newsletter.list_key)
    parts = {}
    try:
        for part, suffix in (("HTML-delen", "html"), ("textdelen", "txt")):
            parts[part] = email_template(template_name(newsletter), suffix).render(values)
    except TemplateError as exc:
        return [error("Brevmall", f"Brevet går inte att skapa: {exc}")]
    placeholder = values["recipient"].unsubscribe_url  # what the template writes for each recipient's link
    missing = [part for part, text in parts.items() if placeholder not in text]
    if missing:
        return [error("Sidfot", f"Avregistreringslänken saknas i {' och '.join(missing)}.")]
    return []
