"""The public form of "Min kommun kl. 07.00" and its buttons."""
from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from ..addresses import AddressValidator
from ..forms import Form
from ..subscribers.forms import strip


class AlertForm(Form):
    email = StringField("Din e-postadress", filters=[strip], validators=[
        DataRequired("Skriv din e-postadress."), Length(max=254, message="Högst 254 tecken."),
        AddressValidator(hint="Skriv en hel e-postadress, till exempel anna.svensson@exempel.se.")])
    municipalities = StringField("Kommun", filters=[strip], validators=[
        DataRequired("Skriv namnet på din kommun."), Length(max=600, message="Högst 600 tecken.")])
    #: Honeypot: hidden from people, filled in by robots.
    website = StringField("Lämna det här fältet tomt", validators=[Optional(), Length(max=200)])


class ActionForm(Form):
    """A button that only needs CSRF protection."""
