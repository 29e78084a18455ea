from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from .services import TITLE_MAX, URL_MAX


class FollowUpLinkForm(Form):
    municipality = SelectField("Kommun", validators=[DataRequired("Välj en kommun.")])
    title = StringField("Länktext (det läsaren klickar på)",
                        validators=[DataRequired("Skriv en länktext."), Length(max=TITLE_MAX)])
    url = StringField("Webbadress (börjar med https://)",
                      validators=[DataRequired("Skriv webbadressen."), Length(max=URL_MAX)])


class RemoveLinkForm(Form):
    """A button that only needs CSRF protection."""
