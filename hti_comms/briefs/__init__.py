"""Talking points, national summaries and result briefs (email, PDF) built from the ranking."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".admin:bp",),
    routes=(".admin_publication",),
    menu=(MenuEntry("briefs_admin.index", "Talpunkter"),),
    commands=(".cli",),
    sweeps=(".sweeps",),
    year_steps=(".at_publication:year_steps",),
    send_kinds={
        "local_brief": "Lokalt resultat",
        "local_brief_embargoed": "Lokalt resultat (under embargo)",
        "district_digest": "Distriktets sammanställning",
    },
    describe_owner=".owners:describe_owner",
    owner_results=".owners:owner_results",
)
