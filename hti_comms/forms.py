"""The base of every form in the app: WTForms' own messages in Swedish, and the text rule on every field.

Every form class derives from `Form` (a whole-app test checks it), so that:
- what WTForms and Flask-WTF say themselves ("Field cannot be longer than 500 characters", "Not a valid choice")
  reaches nobody in English: a validator without a message of its own gets the Swedish one below;
- no field accepts a bidirectional control character (`hti_comms.inputs`), however it is rendered later. Passwords
  are never shown, so they are left as typed.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField

from .inputs import DIRECTION_PROBLEM, direction_character

#: WTForms' and Flask-WTF's built-in messages (their msgids) in plain Swedish, with the same placeholders.
SWEDISH_MESSAGES = {
    "Invalid field name '%s'.": "Fältnamnet ”%s” finns inte.",
    "Field must be equal to %(other_name)s.": "Fältet ska vara likadant som %(other_name)s.",
    "Field must be at least %(min)d character long.": "Skriv minst %(min)d tecken.",
    "Field must be at least %(min)d characters long.": "Skriv minst %(min)d tecken.",
    "Field cannot be longer than %(max)d character.": "Högst %(max)d tecken.",
    "Field cannot be longer than %(max)d characters.": "Högst %(max)d tecken.",
    "Field must be exactly %(max)d character long.": "Skriv precis %(max)d tecken.",
    "Field must be exactly %(max)d characters long.": "Skriv precis %(max)d tecken.",
    "Field must be between %(min)d and %(max)d characters long.": "Skriv mellan %(min)d och %(max)d tecken.",
    "Number must be at least %(min)s.": "Talet ska vara minst %(min)s.",
    "Number must be at most %(max)s.": "Talet får vara högst %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Talet ska vara mellan %(min)s och %(max)s.",
    "Date must be at least %(min)s.": "Datumet ska vara %(min)s eller senare.",
    "Date must be at most %(max)s.": "Datumet ska vara %(max)s eller tidigare.",
    "Date must be between %(min)s and %(max)s.": "Datumet ska vara mellan %(min)s och %(max)s.",
    "This field is required.": "Fyll i det här fältet.",
    "Invalid input.": "Det här går inte att använda. Kontrollera vad du har skrivit.",
    "Invalid email address.": "Skriv en hel e-postadress, till exempel anna.svensson@exempel.se.",
    "Invalid IP address.": "Skriv en hel IP-adress.",
    "Invalid Mac address.": "Skriv en hel MAC-adress.",
    "Invalid URL.": "Skriv en hel webbadress som börjar med https://.",
    "Invalid UUID.": "Skriv ett helt UUID.",
    "Invalid value, must be one of: %(values)s.": "Välj något av det här: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Det får inte vara något av det här: %(values)s.",
    "This field cannot be edited.": "Fältet går inte att ändra.",
    "This field is disabled and cannot have a value.": "Fältet är avstängt och ska vara tomt.",
    "Invalid CSRF Token.": "Formuläret har gått ut. Ladda om sidan och försök igen.",
    "CSRF token missing.": "Formuläret har gått ut. Ladda om sidan och försök igen.",
    "CSRF failed.": "Formuläret har gått ut. Ladda om sidan och försök igen.",
    "CSRF token expired.": "Formuläret har gått ut. Ladda om sidan och försök igen.",
    "Invalid Choice: could not coerce.": "Välj ett av alternativen i listan.",
    "Choices cannot be None.": "Det finns inget att välja bland.",
    "Not a valid choice.": "Välj ett av alternativen i listan.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Välj bara bland alternativen i listan.",
    "'%(value)s' is not a valid choice for this field.": "”%(value)s” finns inte bland alternativen.",
    "'%(value)s' are not valid choices for this field.": "”%(value)s” finns inte bland alternativen.",
    "Not a valid datetime value.": "Skriv datum och tid, till exempel 2026-12-03 07:00.",
    "Not a valid date value.": "Skriv ett datum, till exempel 2026-12-03.",
    "Not a valid time value.": "Skriv ett klockslag, till exempel 07:00.",
    "Not a valid week value.": "Skriv en vecka, till exempel 2026-W49.",
    "Not a valid integer value.": "Skriv ett heltal med siffror, till exempel 14.",
    "Not a valid decimal value.": "Skriv ett tal med siffror, till exempel 55.5.",
    "Not a valid float value.": "Skriv ett tal med siffror, till exempel 55.5.",
    # flask_wtf.file
    "File does not have an approved extension: {extensions}": "Filen har fel sort. Välj en fil av sorten "
                                                                "{extensions}.",
    "File does not have an approved extension.": "Filen har fel sort.",
}
#: The CSRF check of a form: Flask-WTF's messages here are not translatable, so the form replaces them.
FORM_EXPIRED = "Formuläret har gått ut. Ladda om sidan och försök igen."
#: A field with a bidirectional control character (the error summary puts the field's label before it).
DIRECTION_MESSAGE = (f"Här finns {DIRECTION_PROBLEM}. Ta bort det, eller skriv texten själv i stället för att "
                     "klistra in den.")


class SwedishTranslations:
    """The translations object WTForms asks (`Meta.get_translations`): our Swedish, else the English as is."""

    def gettext(self, string: str) -> str:
        return SWEDISH_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


SWEDISH = SwedishTranslations()


class Form(FlaskForm):
    """Every form's base (see the module docstring)."""

    class Meta:
        def get_translations(self, form):
            return SWEDISH

    def validate(self, extra_validators=None) -> bool:
        is_valid = super().validate(extra_validators)
        csrf_field = getattr(self.meta, "csrf_field_name", "csrf_token")
        for field in self:
            if field.name == csrf_field and field.errors:
                field.errors = [FORM_EXPIRED]
                continue
            if isinstance(field, PasswordField):
                continue
            if any(isinstance(value, str) and direction_character(value) for value in field.raw_data or ()):
                field.errors = [*field.errors, DIRECTION_MESSAGE]
                is_valid = False
        return is_valid
