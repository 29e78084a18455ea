"""The public start page."""
from ..domain import Domain

DOMAIN = Domain(package=__name__, blueprints=(".views:bp",))
