"""Outgoing email: outbox, rendering, MIME, SMTP sending, suppressions and the local mail sink."""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    overview=(".overview:problems", ".overview:next_sends"),
    models=(".models",),
    blueprints=(".admin:bp", ".testpost:bp"),
    routes=(".admin_unknowns",),
    menu=(MenuEntry("delivery_admin.sends", "Utkorg"), MenuEntry("testpost_admin.index", "Testpost", setting="MAIL_SINK")),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds={"test": "Provbrev"},
    personal_data=(
        PersonalData("skickat till dig", export=".personal_data:export", erase=".personal_data:erase",
                     tables=("outbox_message", "send", "sink_message"),
                     privacy="Vilka e-brev vi har skickat till dig, när, och om de kom fram."),
        # Erased with the mail sent (`erase` above removes the address from the list too).
        PersonalData("spärrlista", export=".personal_data:export_suppression", tables=("suppression",),
                     privacy="Om e-post till din adress inte kan gå fram sparar vi adressen och svaret från din "
                             "e-postleverantör på en spärrlista, så att inga fler utskick går dit."),
    ),
)
