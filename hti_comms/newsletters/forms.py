"""Staff forms for newsletters and circulars."""
from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form
from ..subscribers.forms import MultiCheckboxField, as_choices


class NewForm(Form):
    subject = StringField("Ämnesrad", validators=[DataRequired("Skriv en ämnesrad."), Length(max=300)])


class NewsletterForm(Form):
    subject = StringField("Ämnesrad", validators=[DataRequired("Skriv en ämnesrad."), Length(max=300)])
    number = IntegerField("Nummer", validators=[Optional(), NumberRange(min=1, message="Numret ska vara 1 eller högre.")])
    topics = StringField("Ämnesraden under rubriken", validators=[Optional(), Length(max=500)])
    heading = StringField("Rubrik", validators=[Optional(), Length(max=300)])
    addressee = StringField("Till", validators=[Optional(), Length(max=500)])
    letter_date = DateField("Datum", validators=[Optional()])
    intro = TextAreaField("Inledning (valfri)", validators=[Optional(), Length(max=20000)])
    list_key = SelectField("Lista")
    audiences = MultiCheckboxField("Målgrupper (inget kryss = alla på listan)", coerce=int)
    forward_note = TextAreaField("Skicka gärna vidare", validators=[Optional(), Length(max=500)])
    forward_url = StringField("Länk för att anmäla sig", validators=[Optional(), Length(max=1000)])
    signature_name = StringField("Underskrift: namn", validators=[Optional(), Length(max=200)])
    signature_title = StringField("Underskrift: titel", validators=[Optional(), Length(max=200)])


class SectionForm(Form):
    title = StringField("Rubrik", validators=[DataRequired("Skriv en rubrik för avsnittet."), Length(max=200)])
    body = TextAreaField("Text", validators=[Optional(), Length(max=50000)])
    image = FileField("Bild (valfri, JPEG, PNG eller GIF)")
    image_alt = StringField("Bildens alternativtext (vad bilden visar)", validators=[Optional(), Length(max=300)])
    remove_image = BooleanField("Ta bort bilden")
    link_url = StringField("Läs mer: adress (valfri)", validators=[Optional(), Length(max=1000)])
    link_text = StringField("Läs mer: länktext", validators=[Optional(), Length(max=200)])


class TestSendForm(Form):
    addresses = MultiCheckboxField("Skicka provet till")


class SendForm(Form):
    when = RadioField("När ska det skickas?", choices=as_choices([("now", "Nu"), ("later", "Vid en viss tid")]),
                      default="now")
    date = DateField("Datum", validators=[Optional()])
    time = TimeField("Klockslag (svensk tid)", validators=[Optional()])
    accept_warnings = BooleanField("Jag har läst varningarna och vill skicka ändå")
