"""Forms of the public sign-up, the preference centre and the staff pages."""
from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from ..addresses import AddressValidator
from ..forms import Form
from .models import Channel, CouncilName, Role
from .places import Place

NAME_MAX, EMAIL_MAX, MUNICIPALITY_MAX, ASSOCIATION_MAX, PHONE_MAX = 120, 254, 100, 160, 40

#: What people choose on the public form: role, plus which name their municipality uses for the council.
ROLE_CHOICES = [
    ("council_member:pensionarsrad", "Ledamot i kommunens pensionärsråd"),
    ("council_member:seniorrad", "Ledamot i kommunens seniorråd"),
    ("association_chair", "Ordförande i en SPF-förening"),
    ("association_officer", "Annat uppdrag i en SPF-förening"),
    ("district_chair", "Ordförande i ett SPF-distrikt"),
    ("district_officer", "Annat uppdrag i ett SPF-distrikt"),
    ("municipal_official", "Tjänsteperson i en kommun"),
    ("spf_staff", "Anställd på SPF Seniorerna"),
    ("member_or_relative", "Medlem eller anhörig (inget uppdrag)"),
]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def as_choices(pairs) -> list[SelectChoice]:
    """Return (value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def place_from_choice(choice: str, municipality: str, association: str = "", district_id: int | None = None) -> Place:
    """Return the Place described by a role choice such as 'council_member:seniorrad'."""
    role_value, _, council = choice.partition(":")
    return Place(role=Role(role_value), council_name=CouncilName(council) if council else None,
                 municipality=municipality or "", association_name=association or "", district_id=district_id)


class AtLeastOne:
    """Like DataRequired for a list of checkboxes, without marking every box `required` (a screen reader would
    then announce each box as one that must be ticked)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, _form, field):
        if not field.data:
            field.errors[:] = []
            raise StopValidation(self.message)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _name_field(label="Ditt namn"):
    return StringField(label, validators=[DataRequired("Skriv ditt namn."),
                                          Length(max=NAME_MAX, message=f"Högst {NAME_MAX} tecken.")])


def _municipality_field(label="Kommun"):
    return StringField(label, validators=[Optional(), Length(max=MUNICIPALITY_MAX,
                                                             message=f"Högst {MUNICIPALITY_MAX} tecken.")])


def _association_field():
    return StringField("SPF-föreningens namn (om du har ett uppdrag i en förening)",
                       validators=[Optional(), Length(max=ASSOCIATION_MAX, message=f"Högst {ASSOCIATION_MAX} tecken.")])


class SignUpForm(Form):
    name = _name_field()
    email = StringField("Din e-postadress", filters=[strip], validators=[
        DataRequired("Skriv din e-postadress."), Length(max=EMAIL_MAX, message=f"Högst {EMAIL_MAX} tecken."),
        AddressValidator(hint="Skriv en hel e-postadress, till exempel anna.svensson@exempel.se.")])
    role = SelectField("Ditt uppdrag", choices=as_choices([("", "Välj ditt uppdrag")] + ROLE_CHOICES),
                       validators=[DataRequired("Välj ditt uppdrag.")])
    municipality = _municipality_field("Din kommun")
    association = _association_field()
    lists = MultiCheckboxField("Vad vill du få?", validators=[AtLeastOne("Välj minst ett utskick.")])
    consent = BooleanField("Jag har läst texten ovan och vill få e-post från SPF Seniorerna.",
                           validators=[DataRequired("Du behöver kryssa i rutan för att vi ska få skicka e-post.")])
    consent_version = HiddenField()
    #: Honeypot: hidden from people, filled in by robots.
    website = StringField("Lämna det här fältet tomt", validators=[Optional(), Length(max=200)])


class PreferencesForm(Form):
    name = _name_field("Ditt namn")
    lists = MultiCheckboxField("Utskick du får")
    #: Ticked means keep, as for the lists: a role whose box is cleared is removed.
    keep = MultiCheckboxField("Uppdrag du har", coerce=int)
    role = SelectField("Lägg till ett uppdrag", choices=as_choices([("", "Inget nytt uppdrag")] + ROLE_CHOICES),
                       validators=[Optional()])
    municipality = _municipality_field()
    association = _association_field()




# --- Staff forms -------------------------------------------------------------------------------------------------

STATUS_CHOICES = [("", "Alla"), ("confirmed", "Bekräftade"), ("pending", "Ej bekräftade"),
                  ("unsubscribed", "Avregistrerade")]
#: The opt-in comes first and is the default: only someone who knows consent was given elsewhere changes it.
BASIS_CHOICES = [("needs_opt_in", "Personen bekräftar själv – ett e-brev med en bekräftelselänk skickas (vanligast)"),
                 ("consent_given", "Personen har redan sagt ja på annat sätt, till exempel på papper – "
                                   "inget e-brev skickas")]


class ContactForm(Form):
    name = _name_field("Namn")
    #: Not needed for someone who gets letters by post (`subscribers.postal` says so, naming the field).
    email = StringField("E-postadress", filters=[strip], validators=[
        Optional(), Length(max=EMAIL_MAX, message=f"Högst {EMAIL_MAX} tecken."), AddressValidator()])
    phone = StringField("Telefon", validators=[Optional(), Length(max=PHONE_MAX, message=f"Högst {PHONE_MAX} tecken.")])
    lists = MultiCheckboxField("Listor")
    channel = SelectField("Får utskick som", choices=as_choices(Channel.choices()), default=Channel.EMAIL.value,
                          coerce=lambda value: value.value if isinstance(value, Channel) else value)
    postal_name = StringField("Namn på kuvertet (om annat än namnet ovan)", filters=[strip],
                              validators=[Optional(), Length(max=120)])
    street_address = StringField("Gatuadress", filters=[strip], validators=[Optional(), Length(max=200)])
    postcode = StringField("Postnummer", filters=[strip], validators=[Optional(), Length(max=10)])
    town = StringField("Ort", filters=[strip], validators=[Optional(), Length(max=80)])


class NewContactForm(ContactForm):
    legal_basis = SelectField("Har personen sagt ja till e-post?", choices=as_choices(BASIS_CHOICES),
                              default="needs_opt_in")
    role = SelectField("Uppdrag", choices=as_choices([("", "Inget uppdrag")] + ROLE_CHOICES), validators=[Optional()])
    municipality = _municipality_field()
    association = _association_field()


class AffiliationForm(Form):
    role = SelectField("Uppdrag", choices=as_choices(ROLE_CHOICES))
    municipality = _municipality_field()
    association = _association_field()
    district_id = SelectField("Distrikt (för uppdrag i distrikt)", coerce=lambda v: int(v) if v else None,
                              validators=[Optional()])


class AudienceForm(Form):
    name = StringField("Namn på målgruppen", validators=[DataRequired("Ge målgruppen ett namn."), Length(max=120)])
    description = StringField("Beskrivning", validators=[Optional(), Length(max=500)])
    lists = MultiCheckboxField("Listor (minst en)")
    roles = MultiCheckboxField("Uppdrag (inget kryss = alla)")
    counties = MultiCheckboxField("Län (inget kryss = alla)")
    districts = MultiCheckboxField("Distrikt (inget kryss = alla)")
    municipalities = SelectMultipleField("Kommuner (inget val = alla)")
    # An optional condition on the index results of the contact's municipality (results.selection).
    result_kind = SelectField("Villkor", validators=[Optional()])
    result_year = SelectField("År", validators=[Optional()])
    result_places = StringField("Antal platser (för klättrat, tappat, bästa och sämsta)",
                                validators=[Optional(), Length(max=3)])
    result_sub_index = SelectField("Delindex (för svagaste område)", validators=[Optional()])
    without_basic_course_years = SelectField(
        "Bara pensionärsråd utan någon som gått grundkursen", validators=[Optional()],
        choices=as_choices([("", "Inget villkor på grundkursen"), ("0", "i år"), ("1", "i år eller förra året"),
                            ("2", "i år eller de två senaste åren"), ("3", "i år eller de tre senaste åren"),
                            ("5", "i år eller de fem senaste åren")]))
    without_action_plan_year = SelectField("Bara kommuner utan registrerad åtgärdsplan för året",
                                           validators=[Optional()])


class ImportForm(Form):
    file = FileField("Fil med kontakter (CSV eller Excel)", validators=[
        FileRequired("Välj en fil."), FileAllowed(["csv", "txt", "xlsx"], "Filen måste vara CSV (.csv) eller Excel (.xlsx).")])
    legal_basis = SelectField("Har personerna i filen sagt ja till e-post?", choices=as_choices(BASIS_CHOICES),
                              default="needs_opt_in")
    default_lists = MultiCheckboxField("Listor för rader där kolumnen ”listor” är tom")


class ActionForm(Form):
    """A button that only needs CSRF protection."""
