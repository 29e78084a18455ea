"""Public pages: upcoming events, one event with its registration form, cancelling, the calendar files."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from markupsafe import Markup

from .. import clock
from ..extensions import limiter
from ..markdown import render_markdown
from . import services
from .calendar import public_calendar
from .forms import ActionForm, RegistrationForm
from .links import CANCEL_PATH, EVENTS_PATH, FEED_PATH, event_url, feed_url, read_cancel_token, webcal_url
from .models import Event, RegistrationMode, RegistrationStatus
from .registration import (
    RegistrationError, RegistrationInput, cancel_registration, closed_reason, find_by_key, register,
    registered_count, waiting_list,
)
from .questions import field_name, form_class, of_event
from .wording import registration_text, relative_text, when_text

bp = Blueprint("events", __name__)
THANKS_EMAIL = "events_registered_email"


def _registration_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _public_event(event_id: int) -> Event:
    return services.get_event(event_id) or abort(404)


def _places(event: Event) -> dict:
    """Return what the page says about places: taken, left, waiting, and whether it is full."""
    taken = registered_count(event)
    left = None if event.capacity is None else max(0, event.capacity - taken)
    waiting = len(waiting_list(event)) if event.capacity is not None else 0
    return {"taken": taken, "left": left, "waiting": waiting, "is_full": left == 0 or waiting > 0}


@bp.route(EVENTS_PATH)
def index():
    upcoming = services.upcoming_events()
    return render_template("web/events/index.html", upcoming=upcoming, past=services.past_events(limit=20),
                           when_text=when_text, relative_text=relative_text, registration_text=registration_text,
                           webcal_url=webcal_url(), feed_url=feed_url())


def _share_link(event: Event) -> str:
    subject = f"Tips: {event.title}"
    body = f"Hej!\n\nDet här kanske intresserar dig: {event.title}, {when_text(event)}.\n\n{event_url(event.id)}\n"
    return f"mailto:?subject={quote(subject)}&body={quote(body)}"


@bp.route(f"{EVENTS_PATH}/<int:event_id>", methods=["GET", "POST"])
@limiter.limit(_registration_limit, methods=["POST"])
def event_page(event_id: int):
    event = _public_event(event_id)
    asked = of_event(event)
    form = form_class(RegistrationForm, asked)() if asked else RegistrationForm()
    closed = closed_reason(event) if event.registration_mode is RegistrationMode.HERE else None
    if request.method == "POST" and closed is None and form.validate_on_submit():
        if form.website.data:
            return redirect(url_for(".thanks", event_id=event.id))  # a robot: the same answer, nothing stored
        try:
            register(event, RegistrationInput(
                name=form.name.data, email=form.email.data, role=form.role.data,
                organisation=form.organisation.data or "", needs=form.needs.data or "",
                question=form.question.data or "",
                answers=tuple(form[field_name(i)].data or "" for i in range(len(asked)))))
        except RegistrationError as exc:
            target = getattr(form, exc.field, None) if exc.field else None
            if target is not None:
                target.errors = [*target.errors, str(exc)]
            else:
                form.form_errors.append(str(exc))
        else:
            session[THANKS_EMAIL] = form.email.data
            return redirect(url_for(".thanks", event_id=event.id))
    errors = [(field.id, field.label.text, message) for field in form for message in field.errors]
    errors += [(None, None, message) for message in form.form_errors]
    return render_template("web/events/event.html", event=event, form=form, closed=closed, errors=errors,
                           places=_places(event), when=when_text(event), relative=relative_text(event),
                           share_link=_share_link(event), is_past=event.ends_at <= clock.now(),
                           description_html=Markup(render_markdown(event.description).html),
                           extra_fields=[(form[field_name(i)], q.required) for i, q in enumerate(asked)])


@bp.route(f"{EVENTS_PATH}/<int:event_id>/tack")
def thanks(event_id: int):
    event = _public_event(event_id)
    return render_template("web/events/thanks.html", event=event, when=when_text(event),
                           email=session.pop(THANKS_EMAIL, None), places=_places(event))


def _calendar_response(data: bytes, filename: str | None) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


@bp.route(f"{EVENTS_PATH}/<int:event_id>.ics")
def event_ics(event_id: int):
    event = _public_event(event_id)
    return _calendar_response(public_calendar([event]), f"evenemang-{event.id}.ics")


@bp.route(FEED_PATH)
def feed():
    return _calendar_response(public_calendar(services.upcoming_events()), None)


def _registration_from_token(token: str):
    key = read_cancel_token(token)
    return find_by_key(key) if key else None


@bp.route(CANCEL_PATH + "<token>", methods=["GET", "POST"])
def cancel(token: str):
    registration = _registration_from_token(token)
    if registration is None:
        return render_template("web/events/bad_link.html"), 404
    event = registration.event
    form = ActionForm()
    status = registration.status
    is_over = event.ends_at <= clock.now()
    if request.method == "POST" and form.validate_on_submit() and status is not RegistrationStatus.CANCELLED \
            and not is_over:
        cancel_registration(registration)
        return render_template("web/events/cancelled.html", event=event, when=when_text(event),
                               was_waiting=status is RegistrationStatus.WAITING)
    # A GET only shows the button: link scanners follow links in emails and must never cancel anyone.
    return render_template("web/events/cancel.html", event=event, registration=registration, form=form,
                           when=when_text(event), is_over=is_over)
