from wtforms import DateTimeLocalField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form


class TestEmailForm(Form):
    email = EmailField("Skicka till (e-postadress)", validators=[DataRequired("Skriv en e-postadress.")])
    name = StringField("Mottagarens namn", validators=[Optional(), Length(max=200, message="Högst 200 tecken.")])
    note = TextAreaField("Meddelande i brevet", validators=[Optional(), Length(max=2000, message="Högst 2 000 tecken.")])
    send_at = DateTimeLocalField("Skicka vid (svensk tid, lämna tomt för nu)", format="%Y-%m-%dT%H:%M",
                                 validators=[Optional()])


class ActionForm(Form):
    """A button that changes something: only the CSRF token."""
