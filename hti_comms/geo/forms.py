from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class DistrictForm(Form):
    name = StringField("Distriktets namn", validators=[DataRequired("Ange ett namn."), Length(max=120)])


class MunicipalityDistrictForm(Form):
    district_id = SelectField("SPF-distrikt", coerce=int)
