"""Numbered newsletters and circulars: compose, check, preview, test, schedule, send, archive, click counts."""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    section_kinds=(".sections:TEXT",),
    overview=(".overview:next_newsletters",),
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    routes=(".admin_send", ".admin_trial"),
    menu=(MenuEntry("newsletters_admin.index", "Nyhetsbrev"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds={
        "newsletter": "Nyhetsbrev",
        "circular": "Cirkulär",
        "newsletter_test": "Provutskick av nyhetsbrev",
        "circular_test": "Provutskick av cirkulär",
        "trial_address_confirmation": "Bekräftelse av provadress",
    },
    describe_owner=".owners:describe_owner",
    demo_data=".demo:load",
    link_history=(".clicks:sent_addresses",),
    personal_data=(
        PersonalData("provadresser", export=".trial_addresses:export", erase=".trial_addresses:erase",
                     tables=("newsletter_trial_address",),
                     privacy="Om personalen lägger in din adress för att få prov på nyhetsbrev och cirkulär sparar vi "
                             "adressen, ditt namn och när du bekräftade. Prov skickas dit bara om du själv har "
                             "bekräftat. Adressen finns kvar tills personalen tar bort den eller du ber oss radera "
                             "den."),
    ),
)
