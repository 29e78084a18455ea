"""Summaries built in the minutes before the embargo release and only enqueued at the release: nothing leaves or
is queued early, and a kept summary is used only while what it was built from is unchanged."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import Send
from hti_comms.extensions import db
from hti_comms.publication import prepared
from hti_comms.publication.moments import set_publication
from hti_comms.publication.summaries import prepare_summaries, release_summaries
from tests.briefs.factories import store_year

from .helpers import PUBLISHED_AT, RELEASE_AT, results_for_2025, staff_order


def _orders() -> None:
    results_for_2025()
    staff_order("0114", "a1@vasby.example.se")
    staff_order("0115", "b1@vallentuna.example.se")
    db.session.commit()


def _summary_texts() -> dict[str, str]:
    rows = db.session.execute(select(Send.owner_key, Send.rendered_text).where(Send.kind == "embargo_summary"))
    return dict(rows.all())


def test_summaries_are_built_before_the_release_and_only_enqueued_at_it(app, monkeypatch):
    from hti_comms.publication import summaries

    built = []
    real_spec = summaries.summary_spec
    monkeypatch.setattr(summaries, "summary_spec", lambda year, code, *a, **k: built.append(code) or real_spec(
        year, code, *a, **k))
    _orders()
    clock.stop_at(RELEASE_AT - prepared.PREPARE_LEAD - timedelta(seconds=1))
    assert prepare_summaries(2025) == 0  # not yet: outside the minutes before the release
    clock.stop_at(RELEASE_AT - timedelta(minutes=5))
    assert prepare_summaries(2025) == 2
    assert prepare_summaries(2025) == 0  # kept: nothing is built twice
    db.session.commit()
    assert _summary_texts() == {}
    assert release_summaries(2025) == 0  # before the release nothing is enqueued
    assert sorted(built) == ["0114", "0115"]

    clock.stop_at(RELEASE_AT)
    assert release_summaries(2025) == 2
    assert sorted(built) == ["0114", "0115"]  # the kept summaries went out: none was built at the release
    db.session.commit()
    texts = _summary_texts()
    assert set(texts) == {"2025:0114", "2025:0115"}
    assert "72,5" in texts["2025:0114"] and "68,3" in texts["2025:0115"]


def test_a_reimport_after_the_summaries_were_built_is_what_goes_out(app):
    _orders()
    clock.stop_at(RELEASE_AT - timedelta(minutes=5))
    assert prepare_summaries(2025) == 2
    store_year(2025, {"0114": ["73.5", "70.0", "75.0", "71.0", "78.0"], "0115": ["68.3", "66.0", "69.0", "67.0", "70.0"],
                      "0117": "65.0", "0305": "80.0"})
    db.session.commit()
    assert prepare_summaries(2025) == 2  # both again: the year's results changed
    clock.stop_at(RELEASE_AT)
    release_summaries(2025)
    db.session.commit()
    text = _summary_texts()["2025:0114"]
    assert "73,5" in text and "72,5" not in text


def test_a_postponed_publication_builds_the_summaries_again_with_the_new_moment(app):
    _orders()
    clock.stop_at(RELEASE_AT - timedelta(minutes=5))
    assert prepare_summaries(2025) == 2
    later = PUBLISHED_AT + timedelta(days=7)
    set_publication(2025, later, actor="test")
    db.session.commit()
    clock.stop_at(RELEASE_AT)
    assert release_summaries(2025) == 0  # the release moved with the publication
    clock.stop_at(later - timedelta(hours=24))
    assert release_summaries(2025) == 2
    db.session.commit()
    assert all("11 december" in text for text in _summary_texts().values())
