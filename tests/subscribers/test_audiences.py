"""Audience resolution: role and place on the same affiliation, lists, and who is always left out."""
import pytest
from sqlalchemy import select

from hti_comms.delivery.services import suppress
from hti_comms.geo.models import District
from hti_comms.subscribers.audiences import Criteria, audience_size, recipients, resolve
from hti_comms.subscribers.directory import add_contact_affiliation
from hti_comms.subscribers.forms import place_from_choice
from hti_comms.subscribers.models import LegalBasis
from hti_comms.subscribers.services import unsubscribe


@pytest.fixture
def people(db, make_contact):
    make_contact("a@exempel.se", municipality="Borås", list_keys=("nyhetsbrev", "kurser"))
    b = make_contact("b@exempel.se", municipality="Stockholm", list_keys=("kurser",))
    add_contact_affiliation(b, place_from_choice("municipal_official", "Borås"))
    make_contact("c@exempel.se", role="district_chair", municipality="Göteborg", list_keys=("kurser",))
    make_contact("d@exempel.se", municipality="Borås", list_keys=("kurser",), basis=LegalBasis.NEEDS_OPT_IN)
    make_contact("e@exempel.se", municipality="Borås", list_keys=("kurser",))
    unsubscribe("e@exempel.se", None)
    make_contact("f@exempel.se", municipality="Borås", list_keys=("kurser",))
    suppress("F@exempel.se", "hard_bounce")
    db.session.commit()
    make_contact("g@exempel.se", role="association_chair", municipality="Habo", association="SPF Habo",
                 list_keys=("kurser",))


def emails(criteria: Criteria) -> list[str]:
    return sorted(member.email for member in resolve(criteria))


def test_role_and_place_must_hold_for_the_same_affiliation(people):
    council_in_vastra_gotaland = Criteria(list_keys=("kurser",), roles=("council_member",), county_codes=("14",))
    assert emails(council_in_vastra_gotaland) == ["a@exempel.se"]
    assert audience_size(council_in_vastra_gotaland) == 1


def test_county_and_district_reach_municipal_and_district_roles(db, people):
    assert emails(Criteria(list_keys=("kurser",), county_codes=("14",))) == ["a@exempel.se", "b@exempel.se",
                                                                            "c@exempel.se"]
    vastra_gotaland = db.session.scalar(select(District.id).where(District.county_code == "14"))
    assert emails(Criteria(list_keys=("kurser",), district_ids=(vastra_gotaland,))) == \
        ["a@exempel.se", "b@exempel.se", "c@exempel.se"]
    assert emails(Criteria(list_keys=("kurser",), roles=("district_chair",))) == ["c@exempel.se"]


def test_lists_roles_and_municipalities(people):
    assert emails(Criteria(list_keys=("nyhetsbrev",))) == ["a@exempel.se"]
    assert emails(Criteria(list_keys=("kurser",), roles=("association_chair",))) == ["g@exempel.se"]
    assert emails(Criteria(list_keys=("kurser",), municipality_codes=("0180",))) == ["b@exempel.se"]
    assert emails(Criteria(list_keys=("nyhetsbrev", "lokala-resultat"), county_codes=("06",))) == []


def test_unconfirmed_unsubscribed_and_suppressed_are_always_left_out(people):
    everyone = emails(Criteria(list_keys=("kurser",)))
    assert everyone == ["a@exempel.se", "b@exempel.se", "c@exempel.se", "g@exempel.se"]
    assert not {"d@exempel.se", "e@exempel.se", "f@exempel.se"} & set(everyone)


def test_recipients_carry_contact_ids_for_the_outbox(people):
    [recipient] = recipients(Criteria(list_keys=("nyhetsbrev",)))
    assert recipient.email == "a@exempel.se" and recipient.name == "Anna Andersson" and recipient.contact_id


def test_unsubscribing_takes_effect_before_the_next_send(people):
    unsubscribe("a@exempel.se", "kurser")
    assert "a@exempel.se" not in emails(Criteria(list_keys=("kurser",)))
    assert emails(Criteria(list_keys=("nyhetsbrev",))) == ["a@exempel.se"]
