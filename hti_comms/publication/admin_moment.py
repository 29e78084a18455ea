"""Staff: set or move a year's publication moment (asking whether the registered get a change notice), and its
event in the calendar, whose time is that moment (linked, one home)."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from .. import clock
from ..auth.roles import Role
from ..extensions import db
from ..formatting import counted, format_datetime
from ..staff import needs
from ..subscribers.forms import as_choices
from . import second_pair_of_eyes
from .admin import ActionForm, _year_page, bp
from .forms import PublicationForm
from .moments import Moments, PublicationError, moments, set_orders_close, set_publication, wall_clock_moment
from .moved import registered_counts


def _actor() -> str:
    return getattr(current_user, "email", "") or "personal"


def _notify_choices(year: int) -> list:
    contacts, event_people = registered_counts(year)
    who = [counted(contacts, "kontaktperson", "kontaktpersoner") + " hos de beställande kommunerna"]
    if event_people:
        who.append(counted(event_people, "anmäld", "anmälda") + " till publiceringen i kalendern")
    return as_choices([("yes", f"Ja, skicka besked om den nya tiden till {' och '.join(who)}"),
                       ("no", "Nej, skicka inget besked")])


def prepare_publication_form(form: PublicationForm, year: int, steps: Moments) -> PublicationForm:
    """Fill the form from the year's moments (a page shown, not a post), and offer the change-notice question."""
    form.notify.choices = _notify_choices(year)
    if not form.is_submitted() and steps.published_at:
        local = clock.to_stockholm(steps.published_at)
        form.published_date.data, form.published_time.data = local.date(), local.time()
        if steps.explicit_orders_close_at:
            close = clock.to_stockholm(steps.explicit_orders_close_at)
            form.orders_close_date.data, form.orders_close_time.data = close.date(), close.time()
    return form


@bp.route("/<int:year>/tid", methods=["POST"])
@needs(Role.PUBLICERING, "Satte publiceringstiden")
def set_moments(year: int):
    """Set or move the publication; a move asks first whether the registered get a change notice."""
    form = PublicationForm()
    before = moments(year)
    form.notify.choices = _notify_choices(year)
    if form.validate_on_submit():
        try:
            published_at = wall_clock_moment(form.published_date.data, form.published_time.data, "Publicering")
            close = None
            if form.orders_close_date.data:
                close = wall_clock_moment(form.orders_close_date.data, form.orders_close_time.data,
                                          "Beställningen stänger")
            moves = before.published_at is not None and published_at != before.published_at
            if moves and form.notify.data not in ("yes", "no"):
                form.notify.errors = [*form.notify.errors, "Välj om de anmälda ska få besked om den nya tiden."]
                raise _Ask()
            if second_pair_of_eyes.moment_needs_approval(year):
                asked = second_pair_of_eyes.ask_to_move(year, published_at, close,
                                                        notify_registered=form.notify.data == "yes")
                flash("Det är mindre än 72 timmar kvar till embargot släpps, så ändringen väntar på att en andra "
                      f"person med rollen Publicering godkänner den: {asked.payload['text']}", "success")
                return redirect(url_for(".year", year=year))
            set_publication(year, published_at, actor=_actor(), notify_registered=form.notify.data == "yes")
            if close != moments(year).explicit_orders_close_at:
                set_orders_close(year, close, actor=_actor())
            db.session.commit()
        except _Ask:
            db.session.rollback()
        except PublicationError as exc:
            db.session.rollback()
            target = form.orders_close_date if str(exc).startswith(("Beställningen", "Sista")) else form.published_date
            target.errors = [*target.errors, str(exc).split(": ", 1)[-1]]
        else:
            message = f"Publiceringen är satt till {format_datetime(moments(year).published_at)}. Alla steg har flyttats med."
            if moves:
                message += (" De anmälda får besked om den nya tiden." if form.notify.data == "yes"
                            else " Inget besked skickades.")
            flash(message, "success")
            return redirect(url_for(".year", year=year))
    return _year_page(year, publication_form=form, status=400)


class _Ask(Exception):
    """The move needs an answer first (whether to send the change notice)."""


def calendar_events(year: int, steps: Moments) -> dict:
    """Return the year's publication event(s) in the calendar, and publication events that could be linked."""
    from sqlalchemy import select

    from ..events.models import Event, EventKind, EventStatus
    from ..events.publication_link import linked_events
    from .timeline import EVENT_WINDOW_AFTER, EVENT_WINDOW_BEFORE

    linked = linked_events(year)
    candidates = []
    if steps.published_at is not None:
        candidates = list(db.session.scalars(select(Event).where(
            Event.kind == EventKind.PUBLICERING, Event.status == EventStatus.SCHEDULED,
            Event.publication_year.is_(None),
            Event.starts_at >= steps.published_at - EVENT_WINDOW_BEFORE,
            Event.starts_at <= steps.published_at + EVENT_WINDOW_AFTER).order_by(Event.starts_at)))
    return {"linked": linked, "candidates": candidates}


@bp.route("/<int:year>/evenemang/<int:event_id>/lanka", methods=["POST"])
@needs(Role.PUBLICERING, "Lät ett evenemang följa publiceringstiden")
def link_event(year: int, event_id: int):
    """Give a publication event in the calendar this year's moment as its time, for good."""
    from ..events.models import Event
    from ..events.publication_link import LinkError, link

    event = db.session.get(Event, event_id) or abort(404)
    if ActionForm().validate_on_submit():
        try:
            link(event, year, moments(year).published_at)
            db.session.commit()
        except LinkError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(f"”{event.title}” följer nu publiceringstiden {year}.", "success")
    return redirect(url_for(".year", year=year))


@bp.route("/<int:year>/evenemang/skapa", methods=["POST"])
@needs(Role.PUBLICERING, "Lade in publiceringen i kalendern")
def create_event(year: int):
    """Create the year's publication event in the calendar at the moment, linked to it."""
    from ..events.publication_link import LinkError, create_linked

    if ActionForm().validate_on_submit():
        try:
            event = create_linked(year, moments(year).published_at)
            db.session.commit()
        except LinkError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(f"”{event.title}” finns nu i kalendern och följer publiceringstiden.", "success")
    return redirect(url_for(".year", year=year))
