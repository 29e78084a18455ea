"""Publication: publication moments, report-package orders, embargoed summaries, the embargo rule, the timeline."""
from ..domain import Domain, MenuEntry, PersonalData

#: The kinds of email the domain sends, with the Swedish words staff see.
SEND_KINDS = {
    "report_order_received": "Bekräftelse av beställt rapportpaket",
    "embargo_summary": "Sammanfattning under embargo",
    "report_access": "Tillgång till analysen vid publiceringen",
}

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    menu=(MenuEntry("publication_admin.index", "Publicering"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds=SEND_KINDS,
    send_references={"report-order": ".admin:describe_send", "embargo-summary": ".admin:describe_send",
                     "report-access": ".admin:describe_send"},
    personal_data=(PersonalData(
        "beställningar av rapportpaket", export=".personal_data:export", erase=".personal_data:erase",
        privacy="När en kommun beställer rapportpaketet sparar vi namn och e-postadress till kommunens kontaktpersoner, "
                "att de har bekräftat sin adress och när de öppnar sammanfattningen på webben. Vi använder uppgifterna "
                "för att skicka kommunens egen sammanfattning under embargo, länken till analysen vid publiceringen "
                "och besked om beställningen. De finns kvar tills du ber oss radera dem."),),
    content_checks=(".guard:check_unpublished_figures",),
    release_guards=(".guard:hold_for_embargo",),
    recipient_guards=(".entitlement:refuse_unentitled_recipients",),
    demo_data=".demo:load",
)
