from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import Form


class LoginForm(Form):
    email = EmailField("E-postadress", validators=[DataRequired("Fyll i din e-postadress."), Length(max=254)])
    password = PasswordField("Lösenord", validators=[DataRequired("Fyll i ditt lösenord."), Length(max=200)])


class PasswordForm(Form):
    current_password = PasswordField("Nuvarande lösenord", validators=[
        DataRequired("Fyll i ditt nuvarande lösenord."), Length(max=200)])
    new_password = PasswordField("Nytt lösenord", validators=[
        DataRequired("Fyll i ett nytt lösenord."), Length(max=200)])
    repeat_password = PasswordField("Upprepa det nya lösenordet", validators=[
        DataRequired("Skriv det nya lösenordet en gång till."),
        EqualTo("new_password", message="Lösenorden är inte likadana.")])


class ForgottenPasswordForm(Form):
    email = EmailField("E-postadress", validators=[DataRequired("Fyll i din e-postadress."), Length(max=254)])


class NewPasswordForm(Form):
    new_password = PasswordField("Nytt lösenord", validators=[
        DataRequired("Fyll i ett nytt lösenord."), Length(max=200)])
    repeat_password = PasswordField("Upprepa det nya lösenordet", validators=[
        DataRequired("Skriv det nya lösenordet en gång till."),
        EqualTo("new_password", message="Lösenorden är inte likadana.")])


class CodeForm(Form):
    code = StringField("Kod", validators=[DataRequired("Skriv koden."), Length(max=40)])


class InvitationForm(Form):
    new_password = PasswordField("Lösenord", validators=[
        DataRequired("Välj ett lösenord."), Length(max=200)])
    repeat_password = PasswordField("Upprepa lösenordet", validators=[
        DataRequired("Skriv lösenordet en gång till."),
        EqualTo("new_password", message="Lösenorden är inte likadana.")])
