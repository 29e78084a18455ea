"""Contacts, their roles and places, the lists they subscribe to, consent and audiences."""
from ..domain import Domain, MenuEntry, PersonalData

_DATA = ".personal_data:"

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    menu=(MenuEntry("subscribers_admin.contacts", "Kontakter"),),
    commands=(".cli", ".imports.cli"),
    sweeps=(".sweeps",),
    send_kinds={"confirmation": "Bekräftelse av adress", "already_subscribed": "Besked: redan anmäld",
                "preferences_link": "Ny länk till valen", "data_export_link": "Länk till sparade uppgifter"},
    personal_data=(
        PersonalData("kontakt", export=_DATA + "export_contact_details", erase=_DATA + "erase_contact_details"),
        PersonalData("uppdrag", export=_DATA + "export_affiliations", erase=_DATA + "erase_affiliations"),
        PersonalData("listor", export=_DATA + "export_lists", erase=_DATA + "erase_lists"),
        PersonalData("samtyckeshistorik", export=_DATA + "export_consent_history",
                     erase=_DATA + "erase_consent_history"),
        PersonalData("väntande importer", erase=_DATA + "erase_pending_imports"),
    ),
    initial_data=".services:create_default_lists",
)
