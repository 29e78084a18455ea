"""Forms: a measure (staff), a proposal from the municipality's personal link, a review note, buttons."""
from __future__ import annotations

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form
from ..subscribers.forms import as_choices, strip
from .models import Area, Horizon, MeasureStatus
from .register import TEXT_MAX, URL_MAX
from .submissions import MESSAGE_MAX

TEXT_HINT = ("Skriv det som en fortsättning på ”Kommunen planerar att …”, till exempel ”förbättra informationen "
             "på kommunens webbplats”. Texten blir en del av en mening, så skriv en enda mening.")


class MeasureForm(Form):
    """One measure, as staff enter or change it."""

    area = SelectField("Delindex som åtgärden ska förbättra", choices=as_choices(Area.choices()),
                       validators=[DataRequired("Välj ett delindex eller hela indexet.")])
    text = TextAreaField("Åtgärd", filters=[strip], validators=[
        DataRequired("Skriv vad kommunen ska göra."), Length(max=TEXT_MAX, message=f"Högst {TEXT_MAX} tecken.")])
    horizon = SelectField("Sikt", choices=as_choices(Horizon.choices()), default=Horizon.SHORT.value)
    status = SelectField("Status", choices=as_choices(MeasureStatus.choices()), default=MeasureStatus.PLANNED.value)
    status_since = DateField("Datum då statusen började (frivilligt, annars i dag)", validators=[Optional()])
    source_url = StringField("Länk till kommunens egen sida om åtgärden (frivilligt)", filters=[strip],
                             validators=[Optional(), Length(max=URL_MAX, message=f"Högst {URL_MAX} tecken.")])


class ProposalForm(MeasureForm):
    """A new or changed measure from the municipality itself (reviewed by staff before it is shown)."""

    measure = SelectField("Vilken åtgärd gäller det?", validators=[Optional()])
    message = TextAreaField("Meddelande till SPF Seniorerna (frivilligt, visas inte)", filters=[strip],
                            validators=[Optional(), Length(max=MESSAGE_MAX, message=f"Högst {MESSAGE_MAX} tecken.")])


class RejectForm(Form):
    note = TextAreaField("Varför godkänns förslaget inte? (visas bara för personalen)", filters=[strip],
                         validators=[Optional(), Length(max=MESSAGE_MAX, message=f"Högst {MESSAGE_MAX} tecken.")])


class ActionForm(Form):
    """A button that only needs CSRF protection."""


class ChooseMunicipalityForm(Form):
    class Meta:
        csrf = False

    kommun = SelectField("Kommun", validators=[DataRequired("Välj en kommun.")])
