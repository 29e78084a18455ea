"""Who receives briefs: a municipality's council members and a district's chairs and officers."""
from __future__ import annotations

from ..geo.models import District, Municipality
from ..subscribers.audiences import Criteria
from ..subscribers.models import Role

#: Briefs are list mail on "Lokala resultat": unsubscribe links and suppressions apply to them.
BRIEF_LIST_KEY = "lokala-resultat"


def council_audience(municipality: Municipality) -> Criteria:
    """Return the pensioner-council members of the municipality who subscribe to local results."""
    return Criteria(list_keys=(BRIEF_LIST_KEY,), roles=(Role.COUNCIL_MEMBER.value,),
                    municipality_codes=(municipality.code,))


def district_audience(district: District) -> Criteria:
    """Return the chairs and officers of the SPF district who subscribe to local results."""
    return Criteria(list_keys=(BRIEF_LIST_KEY,),
                    roles=(Role.DISTRICT_CHAIR.value, Role.DISTRICT_OFFICER.value),
                    district_ids=(district.id,))
