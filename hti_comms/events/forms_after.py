"""Forms of the staff page after an event: the attendance report, the follow-up, the feedback questions."""
from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form


class AttendanceForm(Form):
    file = FileField("Närvarorapport (CSV eller Excel)", validators=[
        FileRequired("Välj en fil."),
        FileAllowed(["csv", "txt", "xlsx"], "Filen måste vara CSV (.csv eller .txt) eller Excel (.xlsx).")])
    anyway = BooleanField("Läs in rapporten även om den verkar gälla en annan dag")


class FollowUpForm(Form):
    recording_url = StringField("Länk till inspelningen", validators=[
        DataRequired("Skriv länken till inspelningen."), Length(max=500, message="Högst 500 tecken.")])
    material_urls = TextAreaField("Länkar till material (en per rad, frivilligt)", validators=[
        Optional(), Length(max=5000, message="Högst 5 000 tecken.")])
    confirmed = HiddenField()


class QuestionsForm(Form):
    questions = TextAreaField("Frågor med svar från 1 till 5 (en per rad, två eller tre)", validators=[
        DataRequired("Skriv två eller tre frågor."), Length(max=700, message="Högst 700 tecken.")])


class RegistrationQuestionsForm(Form):
    questions = TextAreaField("Frågor (en per rad)", validators=[
        Optional(), Length(max=3000, message="Högst 3 000 tecken.")])
