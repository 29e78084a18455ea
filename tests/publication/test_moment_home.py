"""The publication moment has one home: set before the year's results exist, it is the results' moment the moment
they are imported (no sweep copies it), a re-import keeps it, and the public pages' one-statement read sees it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.publication.moments import moments, parse_wall_clock, set_publication
from hti_comms.results.models import PublicationMoment, ResultSet
from hti_comms.results.publication import is_public, publication_state
from tests.briefs.factories import store_year

from .helpers import PUBLISHED_AT


def test_a_moment_set_before_the_results_is_theirs_at_import_with_no_sweep(app):
    clock.set_now(PUBLISHED_AT - timedelta(days=30))
    set_publication(2025, parse_wall_clock("2025-12-04 07:00"), actor="test")
    db.session.commit()
    assert db.session.get(ResultSet, 2025) is None and moments(2025).published_at == PUBLISHED_AT
    assert 2025 not in publication_state().years  # no results yet: nothing for the public pages

    store_year(2025, {"0114": "72.5", "0115": "68.3"})  # the import; no sweep runs after it
    assert db.session.get(ResultSet, 2025).published_at == PUBLISHED_AT
    assert publication_state().years[2025].published_at == PUBLISHED_AT
    assert db.session.scalar(select(ResultSet.year).where(ResultSet.published_at == PUBLISHED_AT)) == 2025
    assert not is_public(2025) and is_public(2025, PUBLISHED_AT)
    assert publication_state(PUBLISHED_AT).public_years == (2025,)

    store_year(2025, {"0114": "73.0", "0115": "68.3"})  # a replaced year keeps its moment
    assert publication_state().years[2025].published_at == PUBLISHED_AT
    set_publication(2025, PUBLISHED_AT + timedelta(days=7), actor="test")  # postponed: one row moves
    db.session.commit()
    assert publication_state().years[2025].published_at == PUBLISHED_AT + timedelta(days=7)
    assert db.session.scalars(select(PublicationMoment.year)).all() == [2025]
