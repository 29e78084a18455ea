"""Feedback after a course: two or three 1–5 questions per event and a free text, one answer per person.

The form is reached through the personal link in the thank-you email (`afterlinks.feedback_url`), so each
answer belongs to one registration; it can be changed for a week after it was first given. An anonymous
answer is counted like any other, but the results page and its export never name the person.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..addresses import display_address
from ..exports import csv_document
from ..extensions import db
from ..formatting import format_datetime
from ..inputs import BadInput, check_text
from .attendance_models import Feedback
from .models import Event, Registration, RegistrationStatus

DEFAULT_QUESTIONS = ("Hur nöjd är du med kursen?", "Hur användbart är det du lärde dig?")
GRADES = (1, 2, 3, 4, 5)
CHANGEABLE_FOR = timedelta(days=7)
QUESTION_MAX, COMMENT_MAX = 200, 4000


class FeedbackError(ValueError):
    """The answer or the questions cannot be saved; the message is Swedish (`field` names the form field)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def questions(event: Event) -> list[str]:
    return list(event.feedback_questions or DEFAULT_QUESTIONS)


def set_questions(event: Event, texts: list[str]) -> None:
    """Set the event's questions: two or three, each at most QUESTION_MAX characters."""
    cleaned = [" ".join((t or "").split()) for t in texts]
    cleaned = [t for t in cleaned if t]
    if not 2 <= len(cleaned) <= 3:
        raise FeedbackError("Skriv två eller tre frågor.")
    for number, text in enumerate(cleaned, start=1):
        try:
            check_text(text, f"Fråga {number}")
        except BadInput as exc:
            raise FeedbackError(str(exc)) from None
        if len(text) > QUESTION_MAX:
            raise FeedbackError(f"Fråga {number} får vara högst {QUESTION_MAX} tecken.")
    if db.session.scalar(select(Feedback.id).where(Feedback.event_id == event.id).limit(1)):
        raise FeedbackError("Någon har redan svarat, så frågorna kan inte ändras längre.")
    event.feedback_questions = cleaned
    db.session.flush()


def may_answer(registration: Registration | None) -> bool:
    return (registration is not None and registration.status is RegistrationStatus.REGISTERED
            and bool(registration.attended))


def answer_of(registration: Registration) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.registration_id == registration.id))


def is_closed(answer: Feedback | None) -> bool:
    """Return whether an answer is older than a week, and so can no longer be changed."""
    return answer is not None and clock.now() - answer.created_at > CHANGEABLE_FOR


def save_answer(registration: Registration, grades: list[int | None], comment: str, anonymous: bool) -> Feedback:
    """Save (or change, within a week) the person's answer in the caller's transaction."""
    event = registration.event
    asked = questions(event)
    if len(grades) != len(asked):
        raise FeedbackError("Svaren passar inte frågorna. Ladda om sidan och försök igen.")
    for number, grade in enumerate(grades):
        if grade not in GRADES:
            raise FeedbackError("Välj ett svar från 1 till 5.", field=f"q{number}")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise FeedbackError(f"Högst {COMMENT_MAX} tecken.", field="comment")
    try:
        check_text(comment, "Kommentaren")
    except BadInput as exc:
        raise FeedbackError(str(exc), field="comment") from None
    answer = answer_of(registration)
    if is_closed(answer):
        raise FeedbackError("Ditt svar är äldre än en vecka och kan inte ändras längre. Tack för att du svarade!")
    now = clock.now()
    if answer is None:
        answer = Feedback(event_id=event.id, registration_id=registration.id, created_at=now)
        db.session.add(answer)
    answer.grades, answer.comment, answer.anonymous, answer.updated_at = list(grades), comment, anonymous, now
    db.session.flush()
    return answer


@dataclass(frozen=True)
class QuestionResult:
    text: str
    #: How many answered 1, 2, 3, 4 and 5.
    counts: dict[int, int]
    answered: int
    average: float | None


def answers(event: Event) -> list[Feedback]:
    return list(db.session.scalars(select(Feedback).where(Feedback.event_id == event.id).order_by(Feedback.id)))


def results(event: Event) -> list[QuestionResult]:
    given = answers(event)
    found = []
    for index, text in enumerate(questions(event)):
        grades = [a.grades[index] for a in given if index < len(a.grades) and a.grades[index] in GRADES]
        found.append(QuestionResult(text, {g: grades.count(g) for g in GRADES}, len(grades),
                                    round(sum(grades) / len(grades), 1) if grades else None))
    return found


def who(answer: Feedback) -> str:
    return "Anonym" if answer.anonymous else answer.registration.name


def results_csv(event: Event) -> bytes:
    """Return every answer as CSV for Excel (the one CSV writer); anonymous answers name no one."""
    rows = [[who(a), "" if a.anonymous else display_address(a.registration.email),
             *[(a.grades[i] if i < len(a.grades) else None) for i in range(len(questions(event)))],
             a.comment, format_datetime(a.updated_at)] for a in answers(event)]
    return csv_document(["Namn", "E-post", *questions(event), "Kommentar", "Svarade"], rows)
