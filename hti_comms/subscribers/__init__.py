"""Contacts, their roles and places, the lists they subscribe to, consent and audiences."""
from ..domain import Domain, MenuEntry, PersonalData

_DATA = ".personal_data:"

DOMAIN = Domain(
    package=__name__,
    overview=(".overview:imports_waiting",),
    models=(".models", ".imports.models"),
    blueprints=(".views:bp", ".admin:bp"),
    routes=(".preference_views", ".imports.admin"),
    menu=(MenuEntry("subscribers_admin.contacts", "Kontakter"),),
    commands=(".cli", ".imports.cli"),
    sweeps=(".sweeps",),
    send_kinds={"confirmation": "Bekräftelse av adress", "already_subscribed": "Besked: redan anmäld",
                "preferences_link": "Ny länk till valen", "data_export_link": "Länk till sparade uppgifter",
                "welcome": "Välkomstbrev"},
    personal_data=(
        PersonalData("kontakt", export=_DATA + "export_contact_details", erase=_DATA + "erase_contact_details",
                     tables=("contact",),
                     privacy="Ditt namn, din e-postadress, ditt telefonnummer om du har lämnat det, och om du har "
                             "bekräftat din adress – för att kunna skicka det du har valt. En anmälan som aldrig "
                             "bekräftas raderas efter {SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS} dagar."),
        PersonalData("uppdrag", export=_DATA + "export_affiliations", erase=_DATA + "erase_affiliations",
                     tables=("contact_affiliation",),
                     privacy="Ditt uppdrag (till exempel ledamot i pensionärsråd) och din kommun, förening eller ditt "
                             "distrikt – så att du får resultaten och inbjudningarna som gäller just dig."),
        PersonalData("listor", export=_DATA + "export_lists", erase=_DATA + "erase_lists", tables=("subscription",),
                     privacy="Vilka utskick du har valt att få."),
        PersonalData("samtyckeshistorik", export=_DATA + "export_consent_history",
                     erase=_DATA + "erase_consent_history", tables=("consent_event",),
                     privacy="När och hur du anmälde dig, bekräftade, ändrade dina val eller avslutade, vilken "
                             "samtyckestext du såg och från vilken internetadress (IP-adress) formuläret skickades "
                             "– så att vi kan visa att du själv har sagt ja, eller att du har sagt nej."),
        PersonalData("väntande importer", export=_DATA + "export_pending_imports",
                     erase=_DATA + "erase_pending_imports", tables=("contact_import", "contact_import_line"),
                     privacy="Om personalen lägger in dig från en fil (till exempel en lista från ett "
                             "pensionärsråd) sparas filen bara tills personalen har granskat den och bestämt sig."),
    ),
    initial_data=".services:create_default_lists",
)
