"""The public start page, the privacy page and the public results (under embargo until publication)."""
from ..domain import Domain

DOMAIN = Domain(package=__name__, models=(".models",), blueprints=(".views:bp", ".results:bp", ".admin:bp"),
                routes=(".results_downloads",),
                setup=".results:setup",
                sweeps=(".proxy_ban",),
                demo_data=".services:load_demo_links")
