"""The year plan: one staff page with a year's whole cycle, what is missing, and next year's copy of it."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    overview=(".overview:missing",),
    blueprints=(".admin:bp",),
    menu=(MenuEntry("yearplan_admin.index", "Årsplan"),),
)
