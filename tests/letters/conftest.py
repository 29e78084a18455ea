"""Fixtures of the letters tests: members who get letters by post."""
from __future__ import annotations

import pytest


@pytest.fixture
def make_letter_member(make_contact, db):
    """Return a function that adds a confirmed member whose channel is `brev`, with a postal address.

    `email=None` gives a member without an email address (valid for `brev`).
    """
    from hti_comms.subscribers.models import Channel

    def make(name, street, postcode, town, email=None, **options):
        contact = make_contact(email or f"tillfallig.{abs(hash(name))}@example.se", name=name, **options)
        contact.email = email
        contact.channel = Channel.LETTER
        contact.street_address, contact.postcode, contact.town = street, postcode, town
        db.session.commit()
        return contact
    return make
