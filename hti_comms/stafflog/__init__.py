"""The staff log: who did what, to which object, when and from where; the embargo log is its rows of one year."""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".admin:bp",),
    menu=(MenuEntry("stafflog_admin.index", "Logg"),),
    sweeps=(".sweeps",),
    personal_data=(
        PersonalData(
            "personalloggen", export=".personal_data:export", erase=".personal_data:erase", tables=("staff_log",),
            privacy="En logg över vad personalen gör i verktyget: vem som ändrade något eller skickade något, när, "
                    "och från vilken internetadress (IP-adress). Står din e-postadress i en sådan rad (till exempel "
                    "när personalen ändrade dina uppgifter) ersätts den med en kod när du ber oss radera dina "
                    "uppgifter. Loggen, och embargologgen som är en del av den, sparas i "
                    "{STAFF_LOG_RETENTION_YEARS} år och raderas sedan."),
    ),
)
