"""Events: courses, webinars, the publication and webcasts; registration, invitations, reminders, the feed."""
from ..domain import Domain, MenuEntry, PersonalData

#: The kinds of email the domain sends, with the Swedish words staff see.
SEND_KINDS = {
    "event_confirmation": "Anmälningsbekräftelse med kalenderinbjudan",
    "event_waiting_list": "Besked: plats på väntelistan",
    "event_promotion": "Besked: plats från väntelistan",
    "event_update": "Ändring av evenemang",
    "event_cancelled": "Inställt evenemang",
    "event_registration_cancelled": "Bekräftelse på avbokning",
    "event_reminder": "Påminnelse om evenemang",
    "event_message": "Meddelande till anmälda",
    "event_follow_up_thanks": "Tack för att du deltog (inspelning, material, frågor och intyg)",
    "event_follow_up_missed": "Vi saknade dig (inspelningen)",
}

DOMAIN = Domain(
    package=__name__,
    section_kinds=(".newsletter_section:EVENTS_SECTION",),
    overview=(".overview:next_events",),
    models=(".models", ".attendance_models"),
    blueprints=(".views:bp", ".admin:bp"),
    routes=(".admin_after", ".admin_feedback", ".admin_councils", ".views_after"),
    menu=(MenuEntry("events_admin.index", "Evenemang"),),
    commands=(".cli", ".cli_after"),
    sweeps=(".sweeps",),
    send_kinds=SEND_KINDS,
    describe_owner=".admin:describe_owner",
    personal_data=(PersonalData(
        "anmälningar till evenemang", export=".personal_data:export", erase=".personal_data:erase",
        tables=("event_registration", "event_attendee", "event_feedback"),
        privacy="När du anmäler dig till en kurs eller ett webbinarium sparar vi ditt namn, din e-postadress, ditt "
                "uppdrag, din kommun eller förening och det du skriver om behov eller frågor till de medverkande. Vi "
                "använder uppgifterna bara för evenemanget: bekräftelse, kalenderinbjudan, påminnelser, besked om "
                "ändringar och listan över deltagare. Efter en kurs sparar vi om du deltog och hur länge (från mötestjänstens "
                "närvarorapport), och dina svar om du svarar på frågorna om kursen. De finns kvar tills du ber oss "
                "radera dem."),),
    demo_data=".demo:load",
    link_history=(".services:used_addresses",),
    #: Importing it adds the "Kommande evenemang" section kind to newsletters and circulars.
)
