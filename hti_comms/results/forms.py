from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField
from wtforms.validators import DataRequired, NumberRange

from ..forms import Form
from .services import MAX_YEAR, MIN_YEAR


class ImportResultsForm(Form):
    year = IntegerField(
        "År",
        validators=[DataRequired("Ange vilket år resultaten gäller."),
                    NumberRange(MIN_YEAR, MAX_YEAR, f"Ange ett år mellan {MIN_YEAR} och {MAX_YEAR}.")],
    )
    file = FileField(
        "Resultatfil (CSV eller Excel)",
        validators=[FileRequired("Välj en fil."),
                    FileAllowed(["csv", "txt", "xlsx"], "Filen måste vara CSV (.csv) eller Excel (.xlsx).")],
    )
    replace = BooleanField("Ersätt årets befintliga resultat")


class SaveResultsForm(Form):
    """The preview's buttons: save (replacing the year's results when ticked) or cancel."""

    replace = BooleanField("Ersätt årets befintliga resultat")
