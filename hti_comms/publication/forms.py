"""Forms: the public order form and the staff forms (publication moment, order, delivery, buttons)."""
from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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
    published_at = StringField("Publicering (svensk tid)", filters=[strip], validators=[
        DataRequired("Skriv datum och tid, till exempel 2025-12-04 07:00.")])
    orders_close_at = StringField("Beställningen stänger (svensk tid, frivilligt)", filters=[strip],
                                  validators=[Optional()])


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

    at = StringField("Tidpunkt (svensk tid)", filters=[strip], validators=[
        DataRequired("Skriv datum och tid, till exempel 2025-12-03 07:00.")])


class ActionForm(Form):
    """A button that only needs CSRF protection."""
