"""Reference data: the 21 counties, the 290 municipalities, and SPF's districts (editable by staff)."""
from ..domain import Domain, MenuEntry

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".admin:bp",),
    menu=(MenuEntry("geo_admin.districts", "Distrikt"),),
    initial_data=".services:load_reference_data_report",
)
