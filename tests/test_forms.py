"""Every form of the app: built on the base form, answers only in Swedish, refuses direction characters in every
field (hti_comms/forms.py, the text rule of hti_comms/inputs.py)."""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from flask_wtf import FlaskForm
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, DecimalField, FloatField, IntegerField, PasswordField, RadioField,
    SelectFieldBase, TimeField,
)
from wtforms.fields.core import Field

from hti_comms.forms import DIRECTION_MESSAGE, Form
from hti_comms.inputs import BadInput, check_text

DIRECTION_CHARACTERS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
                        "\u200e", "\u200f", "\u061c"]
#: Words of WTForms' and Flask-WTF's English messages; none belongs in a Swedish one.
ENGLISH = re.compile(r"\b(field|must|cannot|longer|shorter|invalid|valid|required|characters?|choices?|value|"
                     r"between|number|date|token|missing|expired|file|extension|this|not|least|most|equal)\b",
                     re.IGNORECASE)


def _english_messages() -> list[re.Pattern]:
    """Return every msgid of WTForms' catalogue as a pattern (placeholders match anything)."""
    import wtforms

    catalogue = (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").read_text(encoding="utf-8")
    patterns = []
    for msgid in re.findall(r'^msgid(?:_plural)? "(.+)"$', catalogue, flags=re.MULTILINE):
        parts = re.split(r"%\(\w+\)[sd]|%s", msgid)
        patterns.append(re.compile(".*".join(re.escape(part) for part in parts)))
    return patterns


def _form_classes(app) -> list[type]:
    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    return sorted({cls for cls in walk(FlaskForm) if cls.__module__.startswith("hti_comms.")},
                  key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _build(form_class, values: dict[str, list]) -> FlaskForm:
    form = form_class(formdata=MultiDict([(name, value) for name, items in values.items() for value in items]))
    for field in form:
        if isinstance(field, SelectFieldBase) and getattr(field, "choices", None) is None:
            field.choices = []  # set by the view at run time
    return form


def _hostile(field: Field) -> list:
    """Return a value the field must refuse, of the kind people type into it."""
    if isinstance(field, (IntegerField, DecimalField, FloatField)):
        return ["fyra"]
    if isinstance(field, (DateField, DateTimeLocalField, TimeField)):
        return ["i morgon"]
    if isinstance(field, (SelectFieldBase, RadioField)):
        return ["finns-inte"]
    if isinstance(field, BooleanField) or field.type in ("FileField", "CSRFTokenField"):
        return []
    return ["x" * 60_000]


def test_every_form_is_built_on_the_base_form(app):
    forms = _form_classes(app)
    assert len(forms) >= 25, [f.__qualname__ for f in forms]
    outside = [f"{cls.__module__}.{cls.__qualname__}" for cls in forms if not issubclass(cls, Form)]
    assert outside == [], "derive these from hti_comms.forms.Form: " + ", ".join(outside)


def test_every_message_of_every_form_is_swedish(app):
    """Every form filled with over-long text, words for numbers and dates, unknown choices, nothing at all."""
    english = _english_messages()
    found, checked = [], 0
    for form_class in _form_classes(app):
        for values in ("hostile", "empty"):
            with app.test_request_context(method="POST"):
                form = _build(form_class, {})
                if values == "hostile":
                    form = _build(form_class, {field.name: _hostile(field) for field in form})
                form.validate()
                for field in form:
                    for message in field.errors:
                        checked += 1
                        if any(p.fullmatch(message) for p in english) or ENGLISH.search(message):
                            found.append(f"{form_class.__qualname__}.{field.name}: {message}")
    assert checked > 60
    assert found == [], "\n".join(found)


def test_the_circular_forward_note_answers_an_over_long_text_in_swedish(app):
    from hti_comms.newsletters.forms import NewsletterForm

    with app.test_request_context(method="POST"):
        form = _build(NewsletterForm, {"subject": ["Cirkulär"], "forward_note": ["x" * 501]})
        assert not form.validate()
        assert form.forward_note.errors == ["Högst 500 tecken."]


def test_every_text_field_of_every_form_refuses_a_direction_character(app):
    refused = 0
    for form_class in _form_classes(app):
        with app.test_request_context(method="POST"):
            fields = [field for field in _build(form_class, {}) if field.type not in (
                "CSRFTokenField", "FileField", "BooleanField") and not isinstance(field, PasswordField)]
        for field in fields:
            with app.test_request_context(method="POST"):
                form = _build(form_class, {field.name: ["Anna \u202eBerg"]})
                assert not form.validate()
                assert DIRECTION_MESSAGE in form[field.name].errors, f"{form_class.__qualname__}.{field.name}"
                refused += 1
    assert refused > 80


def test_a_password_is_left_as_typed(app):
    from hti_comms.auth.forms import LoginForm

    with app.test_request_context(method="POST"):
        form = _build(LoginForm, {"email": ["personal@spf.example"], "password": ["lösen\u202eord-123"]})
        form.validate()
        assert form.password.errors == [] and form.password.data == "lösen\u202eord-123"


@pytest.mark.parametrize("character", DIRECTION_CHARACTERS)
def test_the_text_rule_refuses_every_direction_character_and_names_the_field(character):
    with pytest.raises(BadInput, match="^Namnet innehåller ett osynligt tecken som vänder på textens riktning"):
        check_text(f"Anna{character} Berg", "Namnet")
    assert check_text("Åsa Öberg – 55,5 % (plats 1)", "Namnet") == "Åsa Öberg – 55,5 % (plats 1)"


def test_the_circular_page_answers_an_over_long_forward_note_and_a_direction_character_in_swedish(app, staff_login,
                                                                                                 lists):
    """The staff page of a circular, as staff use it: the message beside the field, in the summary with its label."""
    from tests.newsletters.helpers import make_newsletter

    from hti_comms.newsletters.models import NewsletterKind

    circular = make_newsletter(kind=NewsletterKind.CIRCULAR, subject="Cirkulär om Hemtjänstindex")
    path = f"/admin/nyhetsbrev/{circular.id}/redigera"
    form = lxml.html.fromstring(staff_login.get(path).get_data(as_text=True)).xpath("//form[@method='post']")[0]
    values = dict(form.form_values())
    values.update(forward_note="Skicka gärna vidare. " * 30, addressee="Till pensionärsråden \u202eoch distrikten")
    page = staff_login.post(path, data=values).get_data(as_text=True)
    assert "Skicka gärna vidare: Högst 500 tecken." in page
    assert f"Till: {escape(DIRECTION_MESSAGE)}" in page
    assert "Field cannot" not in page and "characters" not in page


def test_flask_wtf_goes_on_without_translations_as_without_flask_babel():
    """`hti_comms` spares Flask-WTF its translations module, which needs Flask-Babel (not installed) and fails after
    importing Babel: Flask-WTF has no translations either way, and the messages above are our own."""
    import importlib.util

    import flask_wtf.form

    assert importlib.util.find_spec("flask_babel") is None
    assert flask_wtf.form.translations is None
