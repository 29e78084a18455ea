"""Running it for real: backup and restore, the nightly backup, the health check and the metrics."""
from ..domain import Domain

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    blueprints=(".health:bp",),
    commands=(".cli",),
    sweeps=(".sweeps",),
    overview=(".overview:nightly_backup",),
)
