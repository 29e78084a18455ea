"""Extra questions at registration, per event: short text, one choice of several, or yes/no; each required or not.

Staff write them one a line (`parse_questions`), e.g.

    * kort text: Vilken förening kommer du från?
    val: Vilken tid passar bäst? / förmiddag / eftermiddag
    ja/nej: Vill du ha materialet på papper?

where "*" first makes the question required. On the public form each becomes a field of the registration form
(a text box, or a list to choose from), with its label, so the accessible form rules hold as for the others.
"""
from __future__ import annotations

from dataclasses import dataclass

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..inputs import BadInput, check_text
from ..subscribers.forms import as_choices

KINDS = {"kort text": "text", "val": "choice", "ja/nej": "yesno"}
KIND_WORDS = {value: key for key, value in KINDS.items()}
YES_NO = ("Ja", "Nej")
MAX_QUESTIONS, TEXT_MAX, ANSWER_MAX = 5, 200, 500


class QuestionError(ValueError):
    """The questions cannot be saved; the message is Swedish and names the line."""


@dataclass(frozen=True)
class Question:
    text: str
    kind: str
    options: tuple[str, ...] = ()
    required: bool = False

    @property
    def choices(self) -> tuple[str, ...]:
        return YES_NO if self.kind == "yesno" else self.options

    def as_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "options": list(self.options), "required": self.required}


def of_event(event) -> list[Question]:
    return [Question(q["text"], q["kind"], tuple(q.get("options", ())), bool(q.get("required")))
            for q in (event.registration_questions or [])]


def parse_questions(text: str) -> list[Question]:
    """Read the staff's lines into questions, or raise QuestionError naming the first wrong line."""
    found = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        try:
            check_text(line, f"Rad {number}")
        except BadInput as exc:
            raise QuestionError(str(exc)) from None
        required = line.startswith("*")
        kind_word, colon, rest = line.lstrip("* ").partition(":")
        kind = KINDS.get(kind_word.strip().lower())
        if not colon or kind is None:
            raise QuestionError(f"Rad {number}: börja med ”kort text:”, ”val:” eller ”ja/nej:” (och * först om "
                                "frågan måste besvaras).")
        parts = [p.strip() for p in rest.split("/")] if kind == "choice" else [rest.strip()]
        question, options = parts[0], tuple(p for p in parts[1:] if p)
        if not question:
            raise QuestionError(f"Rad {number}: frågan saknas.")
        if len(question) > TEXT_MAX:
            raise QuestionError(f"Rad {number}: frågan får vara högst {TEXT_MAX} tecken.")
        if kind == "choice" and len(options) < 2:
            raise QuestionError(f"Rad {number}: skriv minst två alternativ efter frågan, med / emellan.")
        found.append(Question(question, kind, options, required))
    if len(found) > MAX_QUESTIONS:
        raise QuestionError(f"Högst {MAX_QUESTIONS} frågor.")
    return found


def format_questions(questions: list[Question]) -> str:
    """Return the questions as staff write them (the inverse of parse_questions)."""
    lines = []
    for q in questions:
        rest = " / ".join((q.text, *q.options)) if q.kind == "choice" else q.text
        lines.append(f"{'* ' if q.required else ''}{KIND_WORDS[q.kind]}: {rest}")
    return "\n".join(lines)


def check_answers(questions: list[Question], answers: tuple[str, ...]) -> tuple[list[str], dict[int, str]]:
    """Return the cleaned answers and, per question index, what is wrong (Swedish)."""
    cleaned, problems = [], {}
    for index, question in enumerate(questions):
        answer = " ".join((answers[index] if index < len(answers) else "").split())
        if question.required and not answer:
            problems[index] = f"Svara på frågan ”{question.text}”."
        elif answer and question.choices and answer not in question.choices:
            problems[index] = f"Välj ett av svaren på frågan ”{question.text}”."
        elif len(answer) > ANSWER_MAX:
            problems[index] = f"Svaret får vara högst {ANSWER_MAX} tecken."
        cleaned.append(answer)
    return cleaned, problems


def field_name(index: int) -> str:
    return f"extra_{index}"


def form_class(base, questions: list[Question]):
    """Return a subclass of the registration form with one field per question."""
    fields = {}
    for index, q in enumerate(questions):
        needed = [DataRequired(f"Svara på frågan ”{q.text}”.")] if q.required else [Optional()]
        label = q.text if q.required else f"{q.text} (frivilligt)"
        if q.choices:
            fields[field_name(index)] = SelectField(label, validators=needed, validate_choice=False, choices=as_choices(
                [("", "Välj")] + [(c, c) for c in q.choices]))
        else:
            fields[field_name(index)] = StringField(label, validators=[*needed, Length(
                max=ANSWER_MAX, message=f"Högst {ANSWER_MAX} tecken.")])
    return type("RegistrationFormWithQuestions", (base,), fields)
