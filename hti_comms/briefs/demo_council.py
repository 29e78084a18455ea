"""Demo data shared by the domains that show what happens to a result brief after it is sent (letters, bounces):
a pensioners' council of invented "(demo)" members in one municipality, sent the latest demo year's brief as
staff send it."""
from __future__ import annotations

from dataclasses import dataclass

from ..extensions import db
from ..geo.models import Municipality
from ..results.services import latest_demo_year
from ..subscribers.audiences import recipients
from ..subscribers.directory import ContactDetails, add_contact
from ..subscribers.models import CouncilName, LegalBasis, Role
from ..subscribers.places import Place
from .audiences import BRIEF_LIST_KEY, council_audience
from .emails import send_local_brief

ACTOR = "Demodata"


@dataclass(frozen=True)
class DemoBrief:
    municipality: Municipality
    year: int
    send: object  # the delivery API's view of the send


def send_brief_to_demo_council(municipality_code: str, members: list[ContactDetails]) -> DemoBrief | None:
    """Add `members` (on the brief list, consent given) to the municipality's pensioners' council and send them the
    latest demo year's brief, by email or by letter as each chose; None when there are no demo results or no such
    municipality."""
    year = latest_demo_year()
    municipality = db.session.get(Municipality, municipality_code)
    if year is None or municipality is None:
        return None
    council = Place(Role.COUNCIL_MEMBER, council_name=CouncilName.PENSIONARSRAD, municipality=municipality_code)
    for details in members:
        add_contact(details, LegalBasis.CONSENT_GIVEN, council, actor=ACTOR)
    audience = council_audience(municipality)
    send = send_local_brief(municipality, year, recipients(audience), letters_to=audience)
    return DemoBrief(municipality, year, send)


def demo_member(name: str, email: str = "", postal=None) -> ContactDetails:
    """Return the details of an invented council member on the brief list."""
    return ContactDetails(email=email, name=name, phone="", list_keys=[BRIEF_LIST_KEY], postal=postal)
