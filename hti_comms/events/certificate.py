"""The course certificate ("Intyg"): one A4 page with the person's name, the course, its date and length.

Only for someone who attended at least CERTIFICATE_SHARE of the course's length (by the imported attendance
report). WeasyPrint is imported inside `certificate_pdf`, as the briefs do: only a request for a certificate pays
for it.
"""
from __future__ import annotations

import logging
import math

from flask import render_template

from .. import clock
from ..config import PROJECT_ROOT
from ..formatting import format_date, format_time
from .models import Event, EventKind, Registration, RegistrationStatus

for noisy in ("fontTools", "weasyprint", "weasyprint.progress"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

#: The share of the course's length someone must have attended to get a certificate.
CERTIFICATE_SHARE = 0.75


def length_minutes(event: Event) -> int:
    return max(0, round((event.ends_at - event.starts_at).total_seconds() / 60))


def minutes_needed(event: Event) -> int:
    return math.ceil(CERTIFICATE_SHARE * length_minutes(event))


def may_have_certificate(registration: Registration | None) -> bool:
    if registration is None or registration.status is not RegistrationStatus.REGISTERED or not registration.attended:
        return False
    event = registration.event
    return (event.kind in (EventKind.KURS, EventKind.WEBBINARIUM)
            and (registration.attended_minutes or 0) >= minutes_needed(event))


def _length_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} timme" if hours == 1 else f"{hours} timmar"] if hours else []) + (
        [f"{rest} minuter"] if rest else [])
    return " och ".join(parts) or "0 minuter"


def certificate_pdf(registration: Registration) -> bytes:
    """Return the certificate of one person as a tagged PDF (PDF/UA)."""
    from weasyprint import HTML

    event = registration.event
    html = render_template(
        "pdf/events/certificate.html", name=registration.name, event=event,
        kind="webbinariet" if event.kind is EventKind.WEBBINARIUM else "kursen",
        day=format_date(event.starts_at), start=format_time(event.starts_at), end=format_time(event.ends_at),
        length=_length_text(length_minutes(event)), attended=_length_text(registration.attended_minutes or 0),
        issued=format_date(clock.now()), speakers=event.speakers)
    return HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf(pdf_variant="pdf/ua-1")


def certificate_filename(event: Event) -> str:
    return f"intyg-{event.id}.pdf"
