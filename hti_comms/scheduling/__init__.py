"""The one scheduler process and the registry of sweeps it runs."""
from ..domain import Domain

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
    commands=(".cli",),
    setup=".scheduler:register_banner",
)
