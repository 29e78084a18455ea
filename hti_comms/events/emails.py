"""The events domain's email, all through the outbox, each kind one send per event and version.

A send's template and invitation are rendered once (per event and version); each registered person is a row
whose fields carry the calendar UID, the attendee's name as an iCalendar parameter and the cancel link, which
the delivery worker fills into the email and the invitation. The join link is in the context of these sends
only: they go to registered people alone.
"""
from __future__ import annotations

from collections.abc import Sequence


from .. import clock
from ..delivery import api as delivery
from ..delivery.api import SendStatus, SendView
from ..delivery.owner import Owner
from ..delivery.api import Attachment, EmailSpec, Recipient, enqueue
from ..formatting import format_time, relative_phrase
from ..markdown import render_markdown
from .calendar import ATTENDEE_FIELD, CANCEL_FIELD, UID_FIELD, attendee_parameter, invitation, public_location
from .links import cancel_url, event_url
from .models import Event, Registration, RegistrationStatus
from .wording import when_text


def event_context(event: Event, *, private: bool) -> dict:
    """Return what every event email shows; the join link only when `private` (registered people's mail)."""
    description = render_markdown(event.description)
    return {
        "event": {
            "id": event.id, "title": event.title, "kind": event.kind.label, "when": when_text(event),
            "description_html": description.html, "description_text": description.text,
            "speakers": [{"name": s.name, "title": s.title} for s in event.speakers],
            "join_url": event.join_url if private else "", "stream_url": event.stream_url,
            "location": public_location(event), "url": event_url(event.id),
            "organiser_name": event.organiser_name, "organiser_email": event.organiser_email,
            "is_demo": event.is_demo,
        },
    }


def recipient(registration: Registration) -> Recipient:
    """Return the outbox recipient of a registration with the values its invitation and links need."""
    return Recipient(registration.email, registration.name, fields={
        UID_FIELD: registration.calendar_uid,
        ATTENDEE_FIELD: attendee_parameter(registration.name),
        CANCEL_FIELD: cancel_url(registration.key),
    })


def _invitation(event: Event, method: str = "REQUEST", *, sequence: int | None = None) -> Attachment:
    return Attachment("inbjudan.ics", f"text/calendar; method={method}", invitation(event, method, sequence=sequence),
                      is_personal=True)


def _send(event: Event, *, template: str, subject: str, kind: str, people: Sequence[Registration],
          extra: dict | None = None, calendar: tuple[str, int | None] | None = None, private: bool = True,
          what: str, reference: str | None = None, shared: bool = False) -> SendView:
    """Enqueue one email to `people` in the caller's transaction.

    The `reference` makes the send happen once (a second call adds nobody twice). A `shared` send is the one
    every person of this event version gets on their own occasion (a confirmation, rendered once for all of
    them); someone already in it (registering again after cancelling) gets a send of their own instead, or
    the outbox would skip them.
    """
    if shared and reference is not None and _already_in(reference, people):
        reference = None
    existing = delivery.send_status(reference) if reference else None
    if shared and existing is SendStatus.CANCELLED:
        # Staff stopped this version's shared send in the outbox; later registrants still get their email.
        reference, existing = None, None
    if existing is not None:
        attachments = ()  # the send exists with its invitation; enqueue() only adds the rows
    else:
        attachments = (_invitation(event, calendar[0], sequence=calendar[1]),) if calendar else ()
    context = {**event_context(event, private=private), **(extra or {})}
    spec = EmailSpec(template=f"events/{template}", subject=subject, context=context, kind=kind,
                     attachments=attachments, reference=reference, owner=Owner.of("events", what, event.id))
    return enqueue(spec, [recipient(r) for r in people])


def _already_in(reference: str, people: Sequence[Registration]) -> bool:
    return delivery.reached_any(reference, [r.email for r in people])


def _version(event: Event, what: str) -> str:
    return f"event:{event.id}:v{event.sequence}:{what}"


def send_registration_email(event: Event, registration: Registration, *, again: bool = False) -> SendView:
    """Enqueue the confirmation with its invitation, or the waiting-list notice (again: resent on request)."""
    what = "waiting-list" if registration.status is RegistrationStatus.WAITING else "confirmation"
    # Sent again on request: a send of its own, since the shared one of this version says "welcome".
    reference = None if again else _version(event, what)
    return _send(event, **_registration_email(event, registration), people=[registration], extra={"again": again},
                 what=what, reference=reference, shared=True)


def _registration_email(event: Event, registration: Registration) -> dict:
    if registration.status is RegistrationStatus.WAITING:
        return {"template": "waiting_list", "subject": f"Du står på väntelistan: {event.title}",
                "kind": "event_waiting_list", "private": False}
    return {"template": "confirmation", "subject": f"Du är anmäld: {event.title}, {when_text(event)}",
            "kind": "event_confirmation", "calendar": ("REQUEST", None)}


def send_promotion(event: Event, people: Sequence[Registration]) -> SendView:
    """Enqueue the news of a place from the waiting list, with the invitation."""
    return _send(event, template="promotion", subject=f"Du har fått en plats: {event.title}",
                 kind="event_promotion", people=people, calendar=("REQUEST", None),
                 what="promotion", reference=_version(event, "promotion"), shared=True)


def send_update(event: Event, people: Sequence[Registration], *, time_changed: bool, previous_when: str) -> SendView:
    """Enqueue the updated invitation (same UIDs, the new SEQUENCE) to everyone registered."""
    prefix = "Ändrad tid" if time_changed else "Ny länk"
    return _send(event, template="update", subject=f"{prefix}: {event.title}, {when_text(event)}",
                 kind="event_update", people=people, calendar=("REQUEST", None),
                 extra={"time_changed": time_changed, "previous_when": previous_when},
                 what="update", reference=_version(event, "update"))


def send_event_cancelled(event: Event, people: Sequence[Registration], *, waiting_list: bool = False) -> SendView:
    """Enqueue the cancellation: METHOD:CANCEL for registered people, a plain notice for the waiting list."""
    return _send(event, template="event_cancelled", subject=f"Inställt: {event.title}",
                 kind="event_cancelled", people=people, private=False, extra={"waiting_list": waiting_list},
                 calendar=None if waiting_list else ("CANCEL", None),
                 what="cancelled-waiting" if waiting_list else "cancelled",
                 reference=_version(event, "cancelled-waiting" if waiting_list else "cancelled"))


def send_registration_cancelled(event: Event, registration: Registration, *, had_place: bool) -> SendView:
    """Enqueue the confirmation of a registrant's own cancellation (METHOD:CANCEL for their invitation)."""
    # One higher than the event's: the person's calendar takes the cancellation over the last invitation.
    return _send(event, template="registration_cancelled",
                 subject=f"Avbokad: {event.title}", kind="event_registration_cancelled", people=[registration],
                 private=False, extra={"had_place": had_place},
                 calendar=("CANCEL", event.sequence + 1) if had_place else None,
                 what="registration-cancelled", reference=_version(event, "registration-cancelled"), shared=True)


def send_reminder(event: Event, people: Sequence[Registration], *, reference: str) -> SendView:
    """Enqueue a reminder with the join link; the phrase ('i morgon') is as of now, when it is sent."""
    now = clock.now()
    phrase = relative_phrase(event.starts_at, now)
    subject = f"Påminnelse: {event.title} {phrase} kl. {format_time(event.starts_at)}"
    return _send(event, template="reminder", subject=subject, kind="event_reminder", people=people,
                 extra={"relative": phrase}, what="reminder", reference=reference)


def send_message(event: Event, people: Sequence[Registration], *, subject: str, body: str, reference: str,
                 private: bool) -> SendView:
    """Enqueue a message from staff (Markdown); the join link only when `private` (registered people only)."""
    rendered = render_markdown(body)
    return _send(event, template="message", subject=subject, kind="event_message", people=people,
                 extra={"message_html": rendered.html, "message_text": rendered.text}, reference=reference,
                 private=private, what="message" if private else "message-waiting-list")
