"""The follow-up after an event: the recording and material, "Tack för att du deltog" to those who came and
"Vi saknade dig" to those who registered and did not come (never to people who cancelled).

Both go through the outbox, each once per event (its reference and owner name it): pressing again adds nobody
twice. The thank-you email carries each person's feedback link and certificate link (see `afterlinks`).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import clock
from ..delivery.outbox import EmailSpec, Recipient, enqueue
from ..delivery.owner import Owner
from ..delivery.render import render_preview
from ..extensions import db
from ..linkcheck import check_link
from ..markdown import Link
from .afterlinks import CERTIFICATE_FIELD, FEEDBACK_FIELD, certificate_url, feedback_url
from .emails import event_context, recipient
from .models import Event, Registration, RegistrationStatus

URL_MAX = 500
KIND_THANKS, KIND_MISSED = "event_follow_up_thanks", "event_follow_up_missed"


class FollowUpError(ValueError):
    """The follow-up cannot be sent or saved; the message is Swedish."""


@dataclass(frozen=True)
class Plan:
    thanks: list[Registration]
    missed: list[Registration]
    thanks_subject: str
    missed_subject: str


def _checked_url(url: str, field: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > URL_MAX:
        raise FollowUpError(f"{field}: länken får vara högst {URL_MAX} tecken.")
    errors = [f for f in check_link(Link(url, url), field) if f.is_error]
    if errors:
        raise FollowUpError(str(errors[0]))
    return url


def set_links(event: Event, *, recording_url: str | None = None, material_urls: str | None = None) -> None:
    """Save the recording link and the material links (one a line); checked first, nothing saved on an error."""
    recording = _checked_url(recording_url, "Inspelningen") if recording_url is not None else event.recording_url
    if material_urls is not None:
        lines = [line.strip() for line in material_urls.splitlines() if line.strip()]
        materials = "\n".join(_checked_url(line, f"Material, rad {n}") for n, line in enumerate(lines, start=1))
    else:
        materials = event.material_urls
    event.recording_url, event.material_urls = recording, materials
    db.session.flush()


def materials(event: Event) -> list[str]:
    return [line for line in (event.material_urls or "").splitlines() if line.strip()]


def is_over(event: Event) -> bool:
    return event.ends_at <= clock.now()


def plan(event: Event) -> Plan:
    """Return who gets which email, or raise FollowUpError saying why there is nothing to send."""
    if not event.takes_registrations_here:
        raise FollowUpError(f"”{event.title}” hade ingen anmälan här, så det finns ingen att skicka tack till.")
    if event.is_cancelled:
        raise FollowUpError(f"”{event.title}” är inställt.")
    if not is_over(event):
        raise FollowUpError(f"”{event.title}” har inte slutat än. Tacket skickas efter evenemanget.")
    if event.attendance_imported_at is None:
        raise FollowUpError("Läs in närvaron först (rapporten från Zoom eller Teams), så att tacket går till dem "
                            "som deltog och ”Vi saknade dig” till dem som uteblev.")
    registered = list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED)
        .order_by(Registration.id)))
    return Plan(thanks=[r for r in registered if r.attended], missed=[r for r in registered if not r.attended],
                thanks_subject=f"Tack för att du deltog: {event.title}",
                missed_subject=f"Vi saknade dig: {event.title}")


def _context(event: Event) -> dict:
    return {**event_context(event, private=False), "recording_url": event.recording_url,
            "materials": materials(event)}


def _thanks_recipient(registration: Registration) -> Recipient:
    base = recipient(registration)
    return Recipient(base.email, base.name, fields={
        **base.fields, FEEDBACK_FIELD: feedback_url(registration.key),
        CERTIFICATE_FIELD: certificate_url(registration.key)})


def reference(event: Event, what: str) -> str:
    return f"event:{event.id}:follow-up:{what}"


def spec(event: Event, what: str) -> EmailSpec:
    """Return the email "thanks" (to those who came) or "missed" (to those who did not) of the event."""
    context = _context(event)
    if what == "thanks":
        subject, template, kind = f"Tack för att du deltog: {event.title}", "follow_up_thanks", KIND_THANKS
    else:
        # Those who did not come get the recording only: the material goes with the course they took.
        subject, template, kind = f"Vi saknade dig: {event.title}", "follow_up_missed", KIND_MISSED
        context["materials"] = []
    return EmailSpec(template=f"events/{template}", subject=subject, context=context, kind=kind,
                     reference=reference(event, what), owner=Owner.of("events", f"follow-up-{what}", event.id))


def person(registration: Registration, what: str) -> Recipient:
    return _thanks_recipient(registration) if what == "thanks" else recipient(registration)


def preview(event: Event, what: str, registration: Registration) -> tuple[str, str]:
    """Return (subject, text) of the email as `registration` would get it, for staff to read before sending."""
    email = spec(event, what)
    who = person(registration, what)
    _html, text = render_preview(email.template, email.context, subject=email.subject, list_key=None,
                                 email=who.email, name=who.name, fields=who.fields)
    return email.subject, text


def send_follow_up(event: Event) -> Plan:
    """Enqueue both emails in the caller's transaction (each person once, however often this is called)."""
    if not event.recording_url:
        raise FollowUpError("Ange länken till inspelningen först.")
    chosen = plan(event)
    for what, people in (("thanks", chosen.thanks), ("missed", chosen.missed)):
        if people:
            enqueue(spec(event, what), [person(r, what) for r in people])
    return chosen
