"""Forms: the public order form and the staff forms (publication moment, order, delivery, buttons)."""
from __future__ import annotations

from datetime import time

from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import Form
from ..subscribers.forms import strip
from .orders import INVOICE_MAX, NAME_MAX


class OrderForm(Form):
    municipality = SelectField("Kommun", validators=[DataRequired("Välj kommun.")])
    name = StringField("Kontaktpersonens namn", filters=[strip], validators=[
        DataRequired("Skriv kontaktpersonens namn."), Length(max=NAME_MAX, message=f"Högst {NAME_MAX} tecken.")])
    email = StringField("Kontaktpersonens e-postadress", filters=[strip], validators=[
        DataRequired("Skriv kontaktpersonens e-postadress."), Length(max=254, message="Högst 254 tecken.")])
    second_name = StringField("Namn på en andra kontaktperson (frivilligt)", filters=[strip], validators=[
        Optional(), Length(max=NAME_MAX, message=f"Högst {NAME_MAX} tecken.")])
    second_email = StringField("E-postadress till den andra kontaktpersonen (frivilligt)", filters=[strip],
                               validators=[Optional(), Length(max=254, message="Högst 254 tecken.")])
    invoice_reference = StringField("Fakturareferens", filters=[strip], validators=[
        DataRequired("Skriv en fakturareferens, till exempel ett referensnummer eller en beställares namn."),
        Length(max=INVOICE_MAX, message=f"Högst {INVOICE_MAX} tecken.")])
    #: Honeypot: hidden from people, filled in by robots.
    website = StringField("Lämna det här fältet tomt", validators=[Optional(), Length(max=200)])


class PublicationForm(Form):
    """The publication moment and when ordering closes: date and time fields, as on the newsletter's send page."""

    published_date = DateField("Publiceringsdag", validators=[InputRequired("Välj publiceringsdag.")])
    published_time = TimeField("Klockslag (svensk tid)", default=time(7, 0), validators=[Optional()])
    orders_close_date = DateField("Beställningen stänger: dag (frivilligt)", validators=[Optional()])
    orders_close_time = TimeField("Beställningen stänger: klockslag (svensk tid)", validators=[Optional()])
    #: Asked only when a set moment moves: whether the registered get a change notice (choices set by the view).
    notify = RadioField("Ska de anmälda få besked om den nya tiden?", validators=[Optional()])


class StaffOrderForm(Form):
    municipality = SelectField("Kommun", validators=[DataRequired("Välj kommun.")])
    name = StringField("Kontaktpersonens namn", filters=[strip], validators=[
        Optional(), Length(max=NAME_MAX, message=f"Högst {NAME_MAX} tecken.")])
    email = StringField("Kontaktpersonens e-postadress", filters=[strip], validators=[
        DataRequired("Skriv kontaktpersonens e-postadress."), Length(max=254, message="Högst 254 tecken.")])
    invoice_reference = StringField("Fakturareferens", filters=[strip], validators=[
        Optional(), Length(max=INVOICE_MAX, message=f"Högst {INVOICE_MAX} tecken.")])


class DeliverForm(Form):
    reason = TextAreaField("Varför levereras den före sin tur?", validators=[
        Optional(), Length(max=1000, message="Högst 1000 tecken.")])


class DryRunForm(Form):
    class Meta:
        csrf = False

    at_date = DateField("Dag", validators=[InputRequired("Välj en dag.")])
    at_time = TimeField("Klockslag (svensk tid)", validators=[InputRequired("Välj ett klockslag, till exempel 07:00.")])


class ActionForm(Form):
    """A button that only needs CSRF protection."""
