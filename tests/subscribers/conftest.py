"""Fixtures of the subscribers tests: the starting lists and contacts in known places."""
from __future__ import annotations

import pytest

from hti_comms.subscribers.models import LegalBasis
from hti_comms.subscribers.directory import ContactDetails, add_contact
from hti_comms.subscribers.forms import place_from_choice
from hti_comms.subscribers.services import ensure_default_lists


@pytest.fixture
def lists(app):
    ensure_default_lists()


@pytest.fixture
def make_contact(lists):
    """Return a function that adds a confirmed contact (consent given) with one role and place."""
    def make(email, role="council_member:pensionarsrad", municipality="Upplands Väsby", list_keys=("nyhetsbrev",),
             association="", basis=LegalBasis.CONSENT_GIVEN, name="Anna Andersson"):
        place = place_from_choice(role, municipality, association) if role else None
        return add_contact(ContactDetails(email, name, "", list(list_keys)), basis, place, actor="test")
    return make
