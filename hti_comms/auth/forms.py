from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("E-postadress", validators=[DataRequired("Fyll i din e-postadress."), Length(max=254)])
    password = PasswordField("Lösenord", validators=[DataRequired("Fyll i ditt lösenord."), Length(max=200)])
