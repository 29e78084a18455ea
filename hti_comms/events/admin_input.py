"""The staff event form and the event's own checks together: times from date and time fields, each error beside
its field, a form filled from an event."""
from __future__ import annotations

from flask import flash

from ..checks import Finding
from ..scheduling.localtime import read_wall_clock
from .forms import TIME_FIELDS, EventForm
from .inputs import LABELS, EventInput, input_for
from .models import Event


def _wall_clock(form: EventForm, key: str) -> str:
    """Return a time of the form as "YYYY-MM-DD HH:MM" (Stockholm wall clock), "" when left empty; a half-filled
    pair gets an error on the empty field."""
    date_field, time_field = getattr(form, f"{key}_date"), getattr(form, f"{key}_time")
    if date_field.errors or time_field.errors:
        return ""
    if date_field.data is None and time_field.data is None:
        return ""  # a required one is named by the event's own checks ("Fyll i datum och tid …")
    if date_field.data is None:
        date_field.errors = [*date_field.errors, "Välj ett datum till klockslaget."]
        return ""
    if time_field.data is None:
        time_field.errors = [*time_field.errors, "Välj ett klockslag, till exempel 10:00."]
        return ""
    return f"{date_field.data:%Y-%m-%d} {time_field.data:%H:%M}"


def input_from(form: EventForm, event: Event | None = None) -> EventInput:
    times = {key: _wall_clock(form, key) for key in TIME_FIELDS}
    if event is not None and event.is_linked_to_publication:
        # The time of a year's publication event is the publication moment: never typed here.
        current = input_for(event)
        times["start"], times["end"] = current.start, current.end
    return EventInput(
        kind=form.kind.data, title=form.title.data or "", start=times["start"], end=times["end"],
        description=form.description.data or "", speakers=form.speakers.data or "",
        registration=form.registration.data, registration_url=form.registration_url.data or "",
        join_url=form.join_url.data or "", stream_url=form.stream_url.data or "", capacity=form.capacity.data,
        opens=times["opens"], closes=times["closes"], organiser_name=form.organiser_name.data or "",
        organiser_email=form.organiser_email.data or "", reminders=tuple(form.reminders.data or ()))


def has_time_errors(form: EventForm) -> bool:
    return any(getattr(form, f"{key}_{part}").errors for key in TIME_FIELDS for part in ("date", "time"))


def _form_field(form: EventForm, key: str):
    """Return the form field a finding about `key` belongs beside (a time's date field)."""
    return getattr(form, key) if hasattr(form, key) else getattr(form, f"{key}_date")


def show_findings(form: EventForm, findings: list[Finding]) -> None:
    """Put each error next to its field (by its Swedish name); warnings become a message at the top."""
    fields = {label: _form_field(form, key) for key, label in LABELS.items()}
    for finding in findings:
        if finding.is_error and finding.field in fields:
            target = fields[finding.field]
            if not target.errors:  # a half-filled date and time already says what is missing
                target.errors = [*target.errors, finding.message]
        elif finding.is_error:
            form.form_errors.append(str(finding))
        else:
            flash(str(finding), "warning")


def fill_from(form: EventForm, event: Event) -> None:
    values = input_for(event)
    for name in LABELS:
        if name in TIME_FIELDS:
            text = getattr(values, name)
            moment = read_wall_clock(text) if text else None
            getattr(form, f"{name}_date").data = moment.date() if moment else None
            getattr(form, f"{name}_time").data = moment.time() if moment else None
        else:
            getattr(form, name).data = list(values.reminders) if name == "reminders" else getattr(values, name)


def errors_of(form: EventForm) -> list[tuple[str | None, str | None, str]]:
    errors = [(field.id, field.label.text, message) for field in form for message in field.errors]
    return errors + [(None, None, message) for message in form.form_errors]
