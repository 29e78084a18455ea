"""Action plans: what each municipality does with its result, and whether the targeted area moved the year after."""
from ..domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    section_kinds=(".newsletter_section:PLANS_SECTION",),
    models=(".models",),
    blueprints=(".views:bp", ".admin:bp"),
    menu=(MenuEntry("action_plans_admin.index", "Åtgärdsplaner"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    send_kinds={"action_plan_reminder": "Påminnelse om kommunens åtgärdsplan"},
    describe_owner=".admin:describe_owner",
    personal_data=(PersonalData(
        "förslag till kommunens åtgärdsplan", export=".personal_data:export", erase=".personal_data:erase",
        tables=("action_plan_submission",),
        privacy="När du som kontaktperson för kommunens rapportpaket berättar om kommunens åtgärder via din personliga "
                "länk sparar vi vad du skickade, när, och att det kom från dig. Vi läser igenom det innan något visas "
                "på kommunens resultatsida; ditt meddelande till oss visas aldrig. Förslaget är kommunens och finns "
                "kvar när du ber oss radera dina uppgifter, men kopplingen till dig tas bort och ditt namn och din "
                "e-postadress i texten ersätts med en kod."),),
    demo_data=".demo:load",
    #: Importing it adds the "Så jobbar kommunerna" section kind to newsletters.
)
