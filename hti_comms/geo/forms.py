from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class DistrictForm(FlaskForm):
    name = StringField("Distriktets namn", validators=[DataRequired("Ange ett namn."), Length(max=120)])


class MunicipalityDistrictForm(FlaskForm):
    district_id = SelectField("SPF-distrikt", coerce=int)
