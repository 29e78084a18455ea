"""A second pair of eyes: large sends, late moves of the publication and contacts approved during the embargo wait
for a second person with the role utskick or publicering (not the one who asked)."""
from ..domain import Domain

DOMAIN = Domain(
    package=__name__,
    models=(".models",),
)
