"""Forms: the public registration, and the staff pages (event, message to registrants, buttons)."""
from __future__ import annotations

from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField, widgets
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..subscribers.forms import ROLE_CHOICES, as_choices, strip
from .inputs import LABELS, REMINDER_CHOICES
from .models import EventKind, RegistrationMode
from .registration import NAME_MAX, ORGANISATION_MAX, TEXT_MAX

#: What people say they are on the registration form (stored as these words).
REGISTRATION_ROLES = [label for _value, label in ROLE_CHOICES] + ["Annat"]


class RegistrationForm(Form):
    name = StringField("Ditt namn", validators=[DataRequired("Skriv ditt namn."),
                                                 Length(max=NAME_MAX, message=f"Högst {NAME_MAX} tecken.")])
    email = StringField("Din e-postadress", filters=[strip], validators=[
        DataRequired("Skriv din e-postadress."), Length(max=254, message="Högst 254 tecken.")])
    role = SelectField("Ditt uppdrag", choices=as_choices([("", "Välj ditt uppdrag")] +
                                                         [(label, label) for label in REGISTRATION_ROLES]),
                       validators=[DataRequired("Välj ditt uppdrag.")])
    organisation = StringField("Kommun eller förening", validators=[
        Optional(), Length(max=ORGANISATION_MAX, message=f"Högst {ORGANISATION_MAX} tecken.")])
    needs = TextAreaField("Behöver du något för att kunna delta? (frivilligt)", validators=[
        Optional(), Length(max=TEXT_MAX, message=f"Högst {TEXT_MAX} tecken.")])
    question = TextAreaField("Fråga till de medverkande (frivilligt)", validators=[
        Optional(), Length(max=TEXT_MAX, message=f"Högst {TEXT_MAX} tecken.")])
    #: Honeypot: hidden from people, filled in by robots.
    website = StringField("Lämna det här fältet tomt", validators=[Optional(), Length(max=200)])


class ActionForm(Form):
    """A button that only needs CSRF protection."""


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _text(key: str, maximum: int = 500, **kwargs) -> StringField:
    return StringField(LABELS[key], validators=[Optional(), Length(max=maximum, message=f"Högst {maximum} tecken.")],
                       **kwargs)


class EventForm(Form):
    """The staff form; its values are checked by events.inputs.parse_event (as the command line's are)."""

    kind = SelectField(LABELS["kind"], choices=as_choices(EventKind.choices()))
    title = StringField(LABELS["title"], validators=[DataRequired("Skriv en rubrik."), Length(max=200)])
    description = TextAreaField(LABELS["description"], validators=[Optional(), Length(max=20_000)])
    speakers = TextAreaField(LABELS["speakers"], validators=[Optional(), Length(max=5000)])
    # Times are a date field and a time field each, as on the newsletter's send page (Stockholm time).
    start_date = DateField(f"{LABELS['start']}: datum", validators=[Optional()])
    start_time = TimeField(f"{LABELS['start']}: klockslag", validators=[Optional()])
    end_date = DateField(f"{LABELS['end']}: datum", validators=[Optional()])
    end_time = TimeField(f"{LABELS['end']}: klockslag", validators=[Optional()])
    registration = SelectField(LABELS["registration"], choices=as_choices(RegistrationMode.choices()))
    registration_url = _text("registration_url")
    join_url = _text("join_url")
    stream_url = _text("stream_url")
    capacity = _text("capacity", 10)
    opens_date = DateField(f"{LABELS['opens']}: datum", validators=[Optional()])
    opens_time = TimeField(f"{LABELS['opens']}: klockslag", validators=[Optional()])
    closes_date = DateField(f"{LABELS['closes']}: datum", validators=[Optional()])
    closes_time = TimeField(f"{LABELS['closes']}: klockslag", validators=[Optional()])
    organiser_name = _text("organiser_name", 200)
    organiser_email = _text("organiser_email", 254)
    reminders = MultiCheckboxField(LABELS["reminders"], coerce=int,
                                   choices=as_choices([(m, label) for m, label in REMINDER_CHOICES]))


class MessageForm(Form):
    subject = StringField("Ämnesrad", validators=[DataRequired("Skriv en ämnesrad."), Length(max=200)])
    body = TextAreaField("Meddelande (Markdown: tom rad mellan stycken, länktexten inom hakparentes följd av adressen inom parentes)",
                         validators=[DataRequired("Skriv ett meddelande."), Length(max=20_000)])
    include_waiting = SelectField("Till", choices=as_choices([("", "Alla anmälda"),
                                                              ("1", "Alla anmälda och alla på väntelistan")]),
                                  validators=[Optional()])
    #: Makes a double click one send (the outbox reference).
    nonce = HiddenField()
    confirmed = HiddenField()


#: The times of the staff form (keys in `events.inputs.LABELS`), each a date field and a time field.
TIME_FIELDS = ("start", "end", "opens", "closes")
