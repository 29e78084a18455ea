"""Staff pages: events, their registrations and waiting list, the CSV export, messages to registrants."""
from __future__ import annotations

from ..auth.roles import Role
from ..staff import needs
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from markupsafe import Markup

from .. import clock
from ..addresses import display_address
from ..delivery.confirm import preview_recipients
from ..delivery.owner import Owner
from ..domain import SendReference
from ..exports import download
from ..extensions import db
from ..formatting import counted, format_integer
from ..markdown import render_markdown
from ..staff import staff_blueprint
from . import services
from .emails import send_message
from .exports import csv_filename, registrations_csv
from .admin_input import errors_of, fill_from, has_time_errors, input_from, show_findings
from .forms import ActionForm, EventForm, MessageForm
from .inputs import DEFAULT_REMINDERS, parse_event
from .models import Event, Registration, RegistrationStatus, can_cancel_event, can_edit
from .questions import of_event
from .registration import cancel_registration, registered, waiting_list
from .wording import relative_text, when_text

bp = staff_blueprint("events_admin", __name__, "/evenemang")


#: What each part of an event's send reference ("event:12:v2:update") means, in the words staff read.
OWNER_WHATS = {
    "reminder": "påminnelse", "message": "meddelande till anmälda", "message-waiting-list": "meddelande till väntelistan",
    "confirmation": "anmälningsbekräftelser", "waiting-list": "besked om väntelistan",
    "promotion": "besked om plats från väntelistan", "update": "ändring",
    "cancelled": "inställt, till anmälda", "cancelled-waiting": "inställt, till väntelistan",
    "registration-cancelled": "bekräftelser på avbokning",
    "follow-up-thanks": "tack efter kursen", "follow-up-missed": "”Vi saknade dig” efter kursen",
}


def describe_owner(owner: Owner) -> SendReference | None:
    """Name the event a send is about and what it was: "Evenemang: Grundkurs 6 november – påminnelse"."""
    if not owner.key.isdigit():
        return None
    event = services.get_event(int(owner.key))
    if event is None:
        return None
    what = OWNER_WHATS.get(owner.kind, "utskick")
    return SendReference(f"Evenemang: {event.title} – {what}", url_for("events_admin.event", event_id=event.id))


def _event_or_404(event_id: int) -> Event:
    return services.get_event(event_id) or abort(404)


@bp.route("/")
def index():
    counts = services.counts_by_event()
    return render_template("web/events/admin/index.html", upcoming=services.upcoming_events(),
                           past=services.past_events(), counts=counts, when_text=when_text,
                           relative_text=relative_text, statuses=RegistrationStatus)


@bp.route("/nytt", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Skapade ett evenemang", get=True)
def new_event():
    form = EventForm()
    if request.method == "GET":
        form.reminders.data = list(DEFAULT_REMINDERS)
    if form.is_submitted():
        # Every mistake at once: the event's own checks run even when a date or time field is unreadable.
        is_valid = form.validate_on_submit()
        data, findings = parse_event(input_from(form))
        show_findings(form, findings)
        if is_valid and data is not None and not has_time_errors(form):
            event = services.create_event(data)
            for note in data.notes:
                flash(note, "warning")
            flash(f"”{event.title}” är sparat och syns nu på webben.", "success")
            return redirect(url_for(".event", event_id=event.id))
    return render_template("web/events/admin/form.html", form=form, event=None, errors=errors_of(form))


@bp.route("/<int:event_id>/andra", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Ändrade ett evenemang", get=True)
def edit_event(event_id: int):
    event = _event_or_404(event_id)
    if not can_edit(event):
        flash("Evenemanget är inställt och kan inte ändras.", "error")
        return redirect(url_for(".event", event_id=event.id))
    form = EventForm()
    if request.method == "GET":
        fill_from(form, event)
    people = len(registered(event))
    confirm = None
    if form.is_submitted():
        is_valid = form.validate_on_submit()
        data, findings = parse_event(input_from(form, event))
        show_findings(form, findings)
        if is_valid and data is not None and not has_time_errors(form):
            moves = (data.starts_at, data.ends_at, data.join_url) != (event.starts_at, event.ends_at, event.join_url)
            if moves and people and request.form.get("confirmed") != "1":
                # Asks first: a new time or link goes to every registered person.
                confirm = people
            else:
                try:
                    result = services.update_event(event, data)
                except services.EventError as error:
                    db.session.rollback()
                    form.form_errors.append(str(error))
                else:
                    _flash_change(result)
                    return redirect(url_for(".event", event_id=event.id))
    return render_template("web/events/admin/form.html", form=form, event=event, errors=errors_of(form),
                           when=when_text(event), confirm=confirm, people=people,
                           recipients=preview_recipients(registered(event)) if confirm else None)


def _flash_change(result: services.ChangeResult) -> None:
    for note in result.notes:
        flash(note, "warning")
    message = "Ändringarna är sparade."
    if result.updates_sent:
        what = "den nya tiden" if result.time_changed else "den nya länken"
        message += (f" {format_integer(result.updates_sent)} anmälda får ett brev med {what} och en uppdaterad "
                    "kalenderinbjudan.")
    if result.promoted:
        message += f" {format_integer(result.promoted)} på väntelistan fick en plats och ett brev om det."
    flash(message, "success")
    if result.over_capacity:
        flash(f"{format_integer(result.over_capacity)} fler är anmälda än det nya antalet platser. Ingen har "
              "strukits; avboka själv om det behövs.", "warning")


@bp.route("/<int:event_id>")
def event(event_id: int):
    event = _event_or_404(event_id)
    rows = services.registrations(event)
    people = [r for r in rows if r.status is RegistrationStatus.REGISTERED]
    line = [r for r in rows if r.status is RegistrationStatus.WAITING]
    cancelled = [r for r in rows if r.status is RegistrationStatus.CANCELLED]
    questions = [r for r in rows if r.question and r.status is not RegistrationStatus.CANCELLED]
    return render_template("web/events/admin/event.html", event=event, people=people, line=line,
                           cancelled=cancelled, questions=questions, when=when_text(event),
                           relative=relative_text(event), form=ActionForm(), can_cancel=can_cancel_event(event),
                           can_edit=can_edit(event), now=clock.now(), display=display_address,
                           description_html=Markup(render_markdown(event.description).html),
                           asked=of_event(event))


@bp.route("/<int:event_id>/anmalda.csv")
def export(event_id: int):
    event = _event_or_404(event_id)
    return download(registrations_csv(event, services.registrations(event)), csv_filename(event))


@bp.route("/<int:event_id>/stall-in", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Ställde in ett evenemang", get=True)
def cancel_event(event_id: int):
    event = _event_or_404(event_id)
    if not can_cancel_event(event):
        flash("Evenemanget är redan inställt.", "error")
        return redirect(url_for(".event", event_id=event.id))
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        told = services.cancel_event(event)
        flash(f"”{event.title}” är inställt. {counted(told, 'person', 'personer')} får ett brev om det.", "success")
        return redirect(url_for(".event", event_id=event.id))
    people = [*registered(event), *waiting_list(event)]
    count = len(people)
    return render_template("web/events/admin/confirm.html", form=form, event=event,
                           preview=preview_recipients(people),
                           title=f"Ställa in ”{event.title}”?",
                           text=f"Evenemanget tas bort ur kalendrarna och {format_integer(count)} anmälda och "
                                "personer på väntelistan får ett brev om att det är inställt. Det går inte att ångra.",
                           button=f"Ja, ställ in och skicka till {format_integer(count)}")


@bp.route("/<int:event_id>/anmalan/<int:registration_id>/avboka", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Avbokade en anmälan")
def cancel_person(event_id: int, registration_id: int):
    event = _event_or_404(event_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        promoted = cancel_registration(registration)
        message = f"{registration.name} är avbokad och får en bekräftelse."
        if promoted:
            message += f" {', '.join(r.name for r in promoted)} fick platsen från väntelistan."
        flash(message, "success")
        return redirect(url_for(".event", event_id=event.id))
    return render_template("web/events/admin/confirm.html", form=form, event=event,
                           preview=preview_recipients([registration]),
                           title=f"Avboka {registration.name}?",
                           text=f"{registration.name} ({registration.email}) får ett brev om att anmälan till "
                                f"”{event.title}” är avbokad. Den som står först på väntelistan får platsen.",
                           button="Ja, avboka och skicka till 1")


@bp.route("/<int:event_id>/meddelande", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Skickade ett meddelande till de anmälda", get=True)
def message(event_id: int):
    event = _event_or_404(event_id)
    form = MessageForm()
    if request.method == "GET":
        form.nonce.data = secrets.token_hex(12)
    people = registered(event)
    line = waiting_list(event) if form.include_waiting.data else []
    count = len(people) + len(line)
    preview = None
    if form.validate_on_submit():
        if not count:
            flash("Ingen är anmäld, så det finns ingen att skicka till.", "error")
        elif form.confirmed.data != "1":
            form.confirmed.data = "1"  # the next press sends: the page shows the count and the text first
            preview = Markup(render_markdown(form.body.data).html)
        else:
            reference = f"event:{event.id}:message:{form.nonce.data or secrets.token_hex(12)}"
            if people:
                send_message(event, people, subject=form.subject.data, body=form.body.data,
                             reference=reference, private=True)
            if line:
                send_message(event, line, subject=form.subject.data, body=form.body.data,
                             reference=reference + ":waiting", private=False)
            db.session.commit()
            flash(f"Meddelandet ligger i utkorgen till {format_integer(count)} mottagare och skickas nu.",
                  "success")
            return redirect(url_for(".event", event_id=event.id))
    return render_template("web/events/admin/message.html", form=form, event=event, count=count,
                           preview=preview, recipients=preview_recipients([*people, *line]) if preview else None, registered_count=len(people), waiting_count=len(waiting_list(event)))


@bp.route("/<int:event_id>/kopiera", methods=["POST"])
@needs(Role.REDAKTOR, "Kopierade ett evenemang")
def duplicate(event_id: int):
    """Copy the event (one button): another session of a course, say; then staff give it its own time."""
    from .copies import copy_event

    event = _event_or_404(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    copy = copy_event(event, title=f"{event.title} (kopia)")
    db.session.commit()
    flash(f"”{copy.title}” är sparad med samma tid och utan anmälningar och möteslänk. Ge den en egen tid och "
          "rubrik här.", "success")
    return redirect(url_for(".edit_event", event_id=copy.id))
