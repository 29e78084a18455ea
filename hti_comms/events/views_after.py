"""Public pages after a course, reached through the personal links of the thank-you email: the feedback form and
the course certificate."""
from __future__ import annotations

from flask import Response, render_template, request

from ..forms import DIRECTION_MESSAGE
from ..inputs import direction_character
from ..forms import Form
from . import feedback
from .afterlinks import CERTIFICATE_PATH, CERTIFICATE_PURPOSE, FEEDBACK_PATH, FEEDBACK_PURPOSE, read_link
from .certificate import certificate_filename, certificate_pdf, may_have_certificate, minutes_needed
from .registration import find_by_key
from .views import bp
from .wording import when_text

GRADE_WORDS = {1: "1 – Inte alls", 2: "2", 3: "3", 4: "4", 5: "5 – Mycket"}


def _registration(purpose: str, token: str):
    key = read_link(purpose, token)
    return find_by_key(key) if key else None


def _grades(count: int) -> list[int | None]:
    found = []
    for index in range(count):
        text = request.form.get(f"q{index}", "")
        found.append(int(text) if text.isdigit() else None)
    return found


@bp.route(FEEDBACK_PATH + "<token>", methods=["GET", "POST"])
def feedback_form(token: str):
    registration = _registration(FEEDBACK_PURPOSE, token)
    if not feedback.may_answer(registration):
        return render_template("web/events/bad_link.html"), 404
    event = registration.event
    asked = feedback.questions(event)
    answer = feedback.answer_of(registration)
    form = Form()  # the CSRF token
    errors: dict[str, str] = {}
    values = {"grades": list(answer.grades) if answer else [None] * len(asked),
              "comment": answer.comment if answer else "", "anonymous": answer.anonymous if answer else False}
    saved = False
    if request.method == "POST" and not feedback.is_closed(answer):
        values = {"grades": _grades(len(asked)), "comment": request.form.get("comment", ""),
                  "anonymous": request.form.get("anonymous") == "1"}
        if not form.validate_on_submit():
            errors["form"] = "Sidan var för gammal. Skicka svaren igen."
        else:
            errors = {f"q{i}": "Välj ett svar från 1 till 5." for i, g in enumerate(values["grades"]) if g is None}
            if direction_character(values["comment"]) is not None:
                errors["comment"] = DIRECTION_MESSAGE  # the words every form uses, beside the field
            if not errors:
                try:
                    feedback.save_answer(registration, values["grades"], values["comment"], values["anonymous"])
                except feedback.FeedbackError as exc:
                    errors[exc.field or "form"] = str(exc)
                else:
                    from ..extensions import db

                    db.session.commit()
                    saved = True
    return render_template("web/events/feedback.html", event=event, when=when_text(event), questions=asked,
                           values=values, errors=errors, saved=saved, form=form, words=GRADE_WORDS,
                           closed=feedback.is_closed(answer), answered=answer is not None,
                           max_comment=feedback.COMMENT_MAX), (400 if errors else 200)


@bp.route(CERTIFICATE_PATH + "<token>")
def certificate(token: str):
    registration = _registration(CERTIFICATE_PURPOSE, token)
    if registration is None or not registration.attended:
        return render_template("web/events/bad_link.html"), 404
    event = registration.event
    if not may_have_certificate(registration):
        return render_template("web/events/no_certificate.html", event=event, when=when_text(event),
                               needed=minutes_needed(event), minutes=registration.attended_minutes or 0), 403
    return Response(certificate_pdf(registration), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{certificate_filename(event)}"'})
