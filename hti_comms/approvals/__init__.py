"""A second pair of eyes: large sends, late moves of the publication and contacts approved during the embargo wait
for a second person with the role utskick or publicering (not the one who asked)."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".admin:bp",),
    menu=(MenuEntry("approvals_admin.index", "Godkännanden"),),
    send_kinds={"approval_request": "Begäran om godkännande"},
    release_guards=(".services:hold_unapproved_send",),
    send_hooks=(".services:after_enqueue",),
    overview=(".overview:waiting_requests",),
    setup=".admin:setup",
)
