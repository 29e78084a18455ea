"""A domain that exists only for the tests: it proves one declaration is all a new package needs."""
from hti_comms.domain import Domain, MenuEntry, PersonalData

DOMAIN = Domain(
    package=__name__,
    blueprints=(".views:bp",),
    menu=(MenuEntry("sample_admin.index", "Provdomän"),),
    commands=(".views",),
    sweeps=(".views",),
    send_kinds={"sample_note": "Provmeddelande"},
    describe_owner=".views:describe_owner",
    personal_data=(PersonalData("provuppgifter", export=".views:export", erase=".views:erase"),),
    setup=".views:setup",
)
