"""The publication rule at its exact instants, with a stopped clock, and the versions public caches are keyed by:
what `make mutation` found the page tests let through (see mutation/).

A re-import of last year changes this year's ranking ("förändring sedan förra året"): a second web worker, whose
cache was filled before the re-import, must see a new ranking version, not only the worker that imported.
"""
from __future__ import annotations

from datetime import timedelta

from hti_comms import clock, create_app
from hti_comms.extensions import db
from hti_comms.publication.moments import set_publication
from hti_comms.public.content_version import bump
from hti_comms.results.publication import (
    PublicationState, YearState, is_public, is_released, public_years, publication_state,
)
from tests.briefs.factories import store_year
from tests.publication.helpers import PUBLISHED_AT

SECOND = timedelta(seconds=1)


def test_a_year_is_public_from_its_very_second_of_publication(app):
    store_year(2025, {"0114": "72.5", "0115": "68.3"})
    set_publication(2025, PUBLISHED_AT, actor="test")
    db.session.commit()
    assert not is_released(None, PUBLISHED_AT)
    assert not is_released(PUBLISHED_AT, PUBLISHED_AT - SECOND) and is_released(PUBLISHED_AT, PUBLISHED_AT)
    assert not is_public(2025, PUBLISHED_AT - SECOND) and is_public(2025, PUBLISHED_AT)
    assert not is_public(2024, PUBLISHED_AT + timedelta(days=400))  # no results: never public
    clock.stop_at(PUBLISHED_AT - SECOND)
    assert not is_public(2025) and publication_state().public_years == ()
    assert publication_state().next_change_at == PUBLISHED_AT
    clock.stop_at(PUBLISHED_AT)
    assert is_public(2025) and publication_state().public_years == (2025,) and public_years() == (2025,)
    assert public_years(PUBLISHED_AT - SECOND) == ()
    assert [(s.year, s.published_at) for s in publication_state().years.values()] == [(2025, PUBLISHED_AT)]
    assert publication_state().next_change_at is None  # the moment reached is no change still to come


def test_public_years_are_newest_first_and_the_next_change_is_the_nearest_moment_after_now():
    at = PUBLISHED_AT
    state = PublicationState(at=at, years={
        2023: YearState(2023, at - timedelta(days=700), "a"),
        2024: YearState(2024, at - timedelta(days=300), "b"),
        2025: YearState(2025, at + timedelta(days=2), "c"),
        2026: YearState(2026, at + timedelta(days=1), "d"),
        2027: YearState(2027, None, "e"),
    }, content_version=7)
    assert state.public_years == (2024, 2023)
    assert state.is_public(2024) and not state.is_public(2026) and not state.is_public(2027)
    assert not state.is_public(2030)
    assert state.next_change_at == at + timedelta(days=1)
    assert state.ranking_version(2024) == ("b", "a")
    assert state.ranking_version(2023) == ("a", None)
    assert state.public_version == (7, (2024, "b", (at - timedelta(days=300)).isoformat()),
                                    (2023, "a", (at - timedelta(days=700)).isoformat()))


def test_a_second_worker_sees_a_reimport_of_last_year_in_this_years_ranking_version(app, migrated_database):
    store_year(2024, {"0114": "70.0", "0115": "68.0"})
    store_year(2025, {"0114": "72.5", "0115": "68.3"})
    set_publication(2025, PUBLISHED_AT, actor="test")
    db.session.commit()
    clock.stop_at(PUBLISHED_AT + timedelta(hours=1))
    other = create_app({"HTI_ENV": "test", "DATABASE_URL": migrated_database})  # a second web worker
    with other.app_context():
        seen = publication_state()
        before = (seen.ranking_version(2025), seen.public_version)
        db.engine.dispose()
    store_year(2024, {"0114": "71.0", "0115": "68.0"})  # last year re-imported, this year untouched
    with other.app_context():
        seen = publication_state()
        assert seen.years[2025].data_version == publication_state().years[2025].data_version
        assert seen.ranking_version(2025) != before[0]
        assert seen.ranking_version(2025)[1] == seen.years[2024].data_version
        db.engine.dispose()
    ranking = publication_state().ranking_version(2025)
    assert ranking == (publication_state().years[2025].data_version, publication_state().years[2024].data_version)


def test_the_public_version_follows_content_changes_and_a_new_public_year(app):
    store_year(2025, {"0114": "72.5", "0115": "68.3"})
    set_publication(2025, PUBLISHED_AT, actor="test")
    db.session.commit()
    clock.stop_at(PUBLISHED_AT - SECOND)
    hidden = publication_state().public_version
    clock.stop_at(PUBLISHED_AT)
    shown = publication_state().public_version
    assert shown != hidden and shown[1:] == ((2025, publication_state().years[2025].data_version,
                                              PUBLISHED_AT.isoformat()),)
    bump(db.session)
    db.session.commit()
    assert publication_state().public_version[0] != shown[0]
    assert publication_state().content_version == publication_state().public_version[0]
