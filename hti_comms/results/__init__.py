"""Index results per municipality and year: import, the ranking with every derived figure, the overview."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    overview=(".dashboard:latest_results",),
    models=(".models",),
    blueprints=(".dashboard:bp", ".admin:bp"),
    menu=(MenuEntry("overview.dashboard", "Översikt"), MenuEntry("results_admin.index", "Resultat")),
    commands=(".cli",),
    demo_data=".services:load_demo_data",
)
