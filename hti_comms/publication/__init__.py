"""Publication: publication moments, report-package orders, embargoed summaries, the embargo rule, the timeline."""
from ..domain import Domain, MenuEntry, PersonalData

#: The kinds of email the domain sends, with the Swedish words staff see.
SEND_KINDS = {
    "report_order_received": "Bekräftelse av beställt rapportpaket",
    "embargo_summary": "Sammanfattning under embargo",
    "report_access": "Tillgång till analysen vid publiceringen",
    "publication_moved": "Besked: publiceringen är flyttad",
}

DOMAIN = Domain(
    package=__name__,
    overview=(".overview:countdown", ".overview:to_approve"),
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    routes=(".admin_moment",),
    menu=(MenuEntry("publication_admin.index", "Publicering"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds=SEND_KINDS,
    describe_owner=".owners:describe_owner",
    owner_results=".owners:owner_results",
    personal_data=(
        PersonalData(
            "beställningar av rapportpaket", export=".personal_data:export", erase=".personal_data:erase",
            tables=("report_order", "report_order_contact", "summary_opening"),
            privacy="När en kommun beställer rapportpaketet sparar vi namn och e-postadress till kommunens "
                    "kontaktpersoner, att de har bekräftat sin adress, fakturareferensen och när de öppnar "
                    "sammanfattningen på webben. Vi använder uppgifterna för att skicka kommunens egen sammanfattning "
                    "under embargo, länken till analysen vid publiceringen och besked om beställningen. De finns kvar "
                    "tills du ber oss radera dem; beställningen är kommunens och finns kvar, men ditt namn och din "
                    "e-postadress i fakturareferensen ersätts med en kod."),
        # Declared after the orders: erasers run in reverse, so the log is rewritten while the orders still say
        # which municipalities and years are the person's.
        PersonalData(
            "embargologgen", export=".personal_data:export_audit", erase=".personal_data:erase_audit",
            tables=("staff_log",),
            privacy="En logg över vem som gjorde vad med resultaten före publiceringen: när en kontaktperson lades "
                    "till, bekräftade sin adress, godkändes och öppnade kommunens sammanfattning under embargo. "
                    "Loggen är vårt bevis på att ingen annan än kommunens egna kontaktpersoner såg resultaten i "
                    "förväg, så den finns kvar även när du ber oss radera dina uppgifter: då ersätts ditt namn och "
                    "din e-postadress i loggen med en kod som inte går att koppla till dig. Embargologgen är en del av "
                    "personalloggen och sparas lika länge: {STAFF_LOG_RETENTION_YEARS} år."),
    ),
    content_checks=(".content_check:check_unpublished_figures",),
    release_guards=(".guard:hold_for_embargo",),
    recipient_guards=(".entitlement:refuse_unentitled_recipients",),
    demo_data=".demo:load",
)
