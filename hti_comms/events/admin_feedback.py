"""Staff pages of an event's feedback: its questions, the results (counts, average, free texts) and the CSV."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..auth.roles import Role
from ..exports import download
from ..extensions import db
from ..staff import needs
from . import feedback
from .admin import _event_or_404, bp
from .forms_after import QuestionsForm
from .wording import when_text


@bp.route("/<int:event_id>/utvardering", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Ändrade frågorna om ett evenemang")
def feedback_results(event_id: int):
    event = _event_or_404(event_id)
    form = QuestionsForm()
    answers = feedback.answers(event)
    if form.validate_on_submit():
        try:
            feedback.set_questions(event, form.questions.data.splitlines())
        except feedback.FeedbackError as exc:
            db.session.rollback()
            form.questions.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Frågorna är sparade.", "success")
            return redirect(url_for(".feedback_results", event_id=event.id))
    elif not form.is_submitted():
        form.questions.data = "\n".join(feedback.questions(event))
    return render_template("web/events/admin/feedback.html", event=event, when=when_text(event), form=form,
                           results=feedback.results(event), answers=answers, who=feedback.who,
                           words={1: "1", 2: "2", 3: "3", 4: "4", 5: "5"})


@bp.route("/<int:event_id>/utvardering.csv")
def feedback_export(event_id: int):
    event = _event_or_404(event_id)
    return download(feedback.results_csv(event), f"utvardering-evenemang-{event.id}.csv")
