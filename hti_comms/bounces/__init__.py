"""Bounces and complaints that arrive after sending: read (file, SMTP inbox, IMAP), understood, acted on."""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".admin:bp",),
    menu=(MenuEntry("bounces_admin.index", "Studsar"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    setup=".admin:setup",
    overview=(".health:overview",),
    demo_data=".demo:load",
    personal_data=(
        PersonalData(
            "studsar och klagomål", export=".personal_data:export", erase=".personal_data:erase",
            tables=("bounce_report", "suppression_lift"),
            privacy="När ett brev till dig inte går fram, eller du anmäler ett brev som skräppost hos din "
                    "e-postleverantör, får vi ett besked tillbaka. Vi sparar när det hände och vad beskedet sa, så "
                    "att vi slutar skicka till en adress som inte fungerar eller till dig som inte vill ha breven."),
    ),
)
