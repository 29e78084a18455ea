"""Staff pages after an event: import who attended, confirm name matches and walk-ins, send the follow-up."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..auth.roles import Role
from ..delivery.confirm import preview_recipients
from ..extensions import db
from ..formatting import format_integer
from ..staff import needs
from .admin import _event_or_404, bp
from .attendance_models import Attendee
from .forms import ActionForm
from .forms_after import AttendanceForm, FollowUpForm, RegistrationQuestionsForm
from .models import Event, Registration, RegistrationStatus
from .questions import QuestionError, format_questions, of_event, parse_questions
from .wording import when_text

# Reading attendance reports (.attendance, .attendance_files) and the follow-up (.followup) are imported by the
# pages that use them: every process builds the app, few of them read a report.


def _page(event: Event, form: AttendanceForm, warnings: list[str] | None = None):
    from . import attendance, followup

    registrations = db.session.query(Registration).filter(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.REGISTERED).order_by(
        Registration.name).all()
    came = [r for r in registrations if r.attended]
    return render_template("web/events/admin/after.html", event=event, form=form, when=when_text(event),
                           warnings=warnings or [], registrations=registrations, came=came,
                           unknown=attendance.unknown_attendees(event), action=ActionForm(),
                           over=followup.is_over(event))


@bp.route("/<int:event_id>/efter", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Läste in närvaron för ett evenemang")
def after(event_id: int):
    event = _event_or_404(event_id)
    if not event.takes_registrations_here:
        flash("Evenemanget har ingen anmälan här, så det finns ingen närvaro att läsa in.", "error")
        return redirect(url_for(".event", event_id=event.id))
    form = AttendanceForm()
    if form.validate_on_submit():
        from . import attendance
        from .attendance_files import AttendanceFileError

        upload = form.file.data
        try:
            report = attendance.read_report(event, upload.read(), upload.filename or "uppladdad fil")
        except AttendanceFileError as exc:
            form.file.errors.append(f"Inget sparades. {exc}")
            return _page(event, form)
        if report.warnings and not form.anyway.data:
            return _page(event, form, report.warnings)
        attendance.apply_report(event, report)
        db.session.commit()
        flash(f"Närvaron är inläst: {report.summary()}.", "success")
        return redirect(url_for(".after", event_id=event.id))
    return _page(event, form)


@bp.route("/<int:event_id>/efter/okand/<int:attendee_id>", methods=["POST"])
@needs(Role.REDAKTOR, "Bekräftade en deltagare i närvarorapporten")
def attendee_action(event_id: int, attendee_id: int):
    from . import attendance

    event = _event_or_404(event_id)
    line = db.session.get(Attendee, attendee_id)
    if line is None or line.event_id != event.id or not ActionForm().validate_on_submit():
        abort(404)
    if request.form.get("what") == "match" and line.suggested is not None:
        registration = attendance.confirm_name_match(line)
        flash(f"{line.name} räknas nu som deltagare för anmälan {registration.email}.", "success")
    elif request.form.get("what") == "add":
        attendance.add_walk_in(line)
        flash(f"{line.name or line.email} är tillagd som anmäld och deltagare. Inget brev skickades.", "success")
    else:
        abort(400)
    db.session.commit()
    return redirect(url_for(".after", event_id=event.id))


@bp.route("/<int:event_id>/efter/uppfoljning", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Skickade tack och inspelning efter ett evenemang", get=True)
def follow_up(event_id: int):
    from . import followup

    event = _event_or_404(event_id)
    form = FollowUpForm()
    if request.method == "GET":
        form.recording_url.data = event.recording_url
        form.material_urls.data = event.material_urls
    previews, chosen = None, None
    try:
        chosen = followup.plan(event)
    except followup.FollowUpError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".after", event_id=event.id) if event.takes_registrations_here
                        else url_for(".event", event_id=event.id))
    if form.validate_on_submit():
        try:
            followup.set_links(event, recording_url=form.recording_url.data, material_urls=form.material_urls.data)
        except followup.FollowUpError as exc:
            db.session.rollback()
            form.recording_url.errors.append(str(exc))
        else:
            if form.confirmed.data == "1":
                followup.send_follow_up(event)
                db.session.commit()
                flash(f"Tacket ligger i utkorgen till {format_integer(len(chosen.thanks))} som deltog och "
                      f"”Vi saknade dig” till {format_integer(len(chosen.missed))} som uteblev.", "success")
                return redirect(url_for(".after", event_id=event.id))
            db.session.commit()  # the links are kept; the next press sends
            form.confirmed.data = "1"
            previews = [(what, people, followup.preview(event, what, people[0]), preview_recipients(people))
                        for what, people in (("thanks", chosen.thanks), ("missed", chosen.missed)) if people]
    return render_template("web/events/admin/follow_up.html", event=event, form=form, chosen=chosen,
                           previews=previews)


@bp.route("/<int:event_id>/fragor", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Ändrade frågorna i anmälan till ett evenemang")
def registration_questions(event_id: int):
    event = _event_or_404(event_id)
    form = RegistrationQuestionsForm()
    if request.method == "GET":
        form.questions.data = format_questions(of_event(event))
    elif form.validate_on_submit():
        try:
            found = parse_questions(form.questions.data or "")
        except QuestionError as exc:
            form.questions.errors.append(str(exc))
        else:
            event.registration_questions = [q.as_dict() for q in found] or None
            db.session.commit()
            flash("Frågorna är sparade och syns i anmälan." if found else "Anmälan har inga egna frågor nu.",
                  "success")
            return redirect(url_for(".event", event_id=event.id))
    return render_template("web/events/admin/registration_questions.html", event=event, form=form)
