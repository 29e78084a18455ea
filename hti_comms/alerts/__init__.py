""""Min kommun kl. 07.00": anyone's municipality's result by email at the publication moment (double opt-in)."""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    menu=(MenuEntry("alerts_admin.index", "Min kommun"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds={"municipality_alert": "Min kommun: resultatet vid publiceringen",
                "alert_confirmation": "Min kommun: bekräftelse av adress"},
    describe_owner=".owners:describe_owner",
    owner_results=".owners:owner_results",
    year_steps=(".publication:year_steps",),
    unsubscribe_paths={"min-kommun": "/min-kommun/avsluta/"},
    personal_data=(
        PersonalData(
            "min kommun kl. 07.00", export=".personal_data:export", erase=".personal_data:erase",
            tables=("alert_subscriber", "alert_municipality"),
            privacy="Om du ber om att få din kommuns resultat med e-post när Hemtjänstindex publiceras sparar vi din "
                    "e-postadress och vilka kommuner du följer, och när du bekräftade. Vi skickar bara resultatet, "
                    "inget annat. Uppgifterna finns kvar tills du avslutar med länken i brevet; då raderas de. En "
                    "begäran som aldrig bekräftas raderas efter {SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS} dagar."),
    ),
)
