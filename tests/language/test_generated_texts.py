"""The language check over every text the product generates (issue 17): the talking points of all 290
municipalities over three years with the edge cases (see `corpus`), the national summary, local briefs, district
digests, embargoed summaries (email and web version), access emails, "Min kommun" alerts, relative phrases, the
circular's events section, staff counts, and the year plan's and the timeline's sentences about what is missing. Local briefs, summaries and access emails are rendered for every municipality in the
latest year and for the edge cases in the years before (their sentences are the talking points, checked for all).

Each test collects every problem and fails with the list, so one run shows all there is to fix.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from hti_comms import clock
from hti_comms.briefs.figures import derive, verify_points

from . import corpus
from .checker import Problem, figure_problems, language_problems

#: One test process runs every language test (`make test` distributes with --dist loadgroup): the dictionary is
#: read once (a few seconds of spylls), and the second database's run finds its texts' verdicts in `_VERDICTS`.
pytestmark = pytest.mark.xdist_group("language")

#: The verdict on each text already checked in this process. The tests run on SQLite and on PostgreSQL with the
#: same stored results: a text the other database also produced, word for word and about the same figures, has
#: the same verdict, so the second run checks only what differs (and keeps the language check under a minute).
_VERDICTS: dict[tuple, list[Problem]] = {}


def _check(texts, figures_by_year=None) -> list[Problem]:
    problems, memo = [], {}
    for text in texts:
        figures = (figures_by_year or {}).get(text.year) if text.municipality_code or text.district_id else None
        key = (text, figures is not None)
        if key not in _VERDICTS:
            found = language_problems(text.text, text.where)
            if figures is not None:
                found += figure_problems(text.text, figures, municipality_code=text.municipality_code,
                                         district_id=text.district_id, where=text.where,
                                         memo=memo.setdefault((text.year, text.municipality_code, text.district_id), {}))
            _VERDICTS[key] = found
        problems += _VERDICTS[key]
    return problems


def _report(problems: list[Problem]) -> str:
    unique = list(dict.fromkeys(str(p) for p in problems))
    return f"{len(unique)} språkfel:\n" + "\n".join(unique[:60]) + ("\n…" if len(unique) > 60 else "")


def test_talking_points_and_the_national_summary_of_every_municipality_and_year(db, swedish):
    problems = []
    for year in corpus.edge_case_years():
        figures = derive(year)
        for points in corpus.talking_points(year):
            where = f"talpunkterna {points.municipality.code} {year}"
            problems += [Problem(where, "siffra som inte stämmer", m.message) for m in verify_points(points, figures)]
            problems += _check(corpus.Text(where, text) for text in points.texts())
        problems += _check(corpus.national_summary(year))
    assert not problems, _report(problems)


def test_local_briefs_embargoed_summaries_and_access_emails(db, swedish):
    years = corpus.edge_case_years()
    latest = years[-1]
    figures = {year: derive(year) for year in years}
    texts = []
    for year in years:
        edges = corpus.edge_codes(year)
        for points in corpus.talking_points(year):
            if points.entry is None or (year != latest and points.municipality.code not in edges):
                continue
            texts += corpus.local_briefs(points, embargoed_too=year == latest) + corpus.embargoed_summary(points)
            texts += corpus.alert_email(points)
            if year == latest:
                texts += corpus.access_email(points)
    assert len({text.municipality_code for text in texts if text.year == latest}) == 289  # one has no result
    problems = _check(texts, figures)
    assert not problems, _report(problems)


def test_district_digests_of_every_year(db, swedish):
    years = corpus.edge_case_years()
    figures = {year: derive(year) for year in years}
    problems = _check([text for year in years for text in corpus.district_digests(year)], figures)
    assert not problems, _report(problems)


def test_relative_phrases(swedish):
    texts = corpus.relative_phrases()
    assert {"Kursen är i morgon.", "Kursen är nästa vecka.", "Kursen är om tre veckor.", "Kursen är i måndags.",
            "Kursen är för ett år sedan."} <= {text.text for text in texts}
    problems = _check(texts)
    assert not problems, _report(problems)


def test_the_circulars_events_section(db, swedish):
    problems = _check(corpus.circular_sections())
    assert not problems, _report(problems)


def test_action_plan_texts(db, swedish):
    """The sentences about an earlier plan with every edge case are in the talking points above; here the newsletter
    section built from them (its drafts checked against the figures too) and the reminder."""
    years = corpus.edge_case_years()
    figures = {year: derive(year) for year in years}
    texts = corpus.action_plan_texts()
    drafts = " ".join(text.text for text in texts if text.where.startswith("utkastet"))
    for expected in ("minskat med 2,4 enheter", "ökat med 12,5 enheter", "i stort sett oförändrat", "är indexet "
                     "oförändrat", "att förbättra informationen på kommunens webbplats och ge tydligare besked om "
                     "vad hemtjänsten kostar (Information)", "Inför 2024 planerade", "Det saknas uppgift om delindex"):
        assert expected in drafts, expected
    problems = _check(texts, figures)
    assert not problems, _report(problems)


def test_staff_counts(db, staff_login, swedish):
    """The dry run of the publication desk with none, one and two ordering municipalities, and import summaries."""
    from tests.publication.helpers import RELEASE_AT, results_for_2025, staff_order

    results_for_2025()
    texts = corpus.import_summaries()
    during = (RELEASE_AT + timedelta(hours=2)).astimezone(clock.STOCKHOLM).strftime("at_date=%Y-%m-%d&at_time=%H:%M")
    for contacts in ((), ("a@vasby.example.se",), ("b@vallentuna.example.se", "c@vallentuna.example.se")):
        if contacts:
            staff_order("0114" if len(contacts) == 1 else "0115", *contacts)
        page = staff_login.get(f"/admin/publicering/2025/tidslinje?{during}").get_data(as_text=True)
        dry_run = re.search(r"<h3>Vid .*?</main>", page, re.DOTALL).group(0)
        texts.append(corpus.Text(f"provkörningen med {len(contacts)} kontaktpersoner", dry_run))
    assert "Upplands Väsby: 1 kontaktperson" in texts[-1].text and "Vallentuna: 2 kontaktpersoner" in texts[-1].text
    problems = _check(texts)
    assert not problems, _report(problems)


def test_the_year_plan_and_the_timeline_say_what_is_missing_in_swedish(db, staff_login, swedish):
    """Everything missing at once: no course, webinar, webcast or calendar event, briefs not chosen, an unlinked
    publication event on another day, a webinar on publication day, a brief held at publication."""
    from hti_comms.briefs.at_publication import held_sentences, schedule
    from hti_comms.publication.contradictions import contradictions
    from hti_comms.yearplan.plan import year_plan
    from tests.events.helpers import make_event
    from tests.publication.helpers import results_for_2025

    results_for_2025()
    make_event(kind="publicering", title="Resultaten publiceras", registration="none", join_url="", speakers="",
               start="2025-12-03 07:00", end="2025-12-03 07:00")
    make_event(kind="webbinarium", title="Webbinarium om resultaten", start="2025-12-04 10:00", end="2025-12-04 12:00",
               registration="external", join_url="", registration_url="https://spfseniorerna.zoom.us/webinar/1")
    plan = year_plan(2025)
    texts = [corpus.Text("årsplanen", sentence) for sentence in plan.missing + contradictions(2025)]
    row = schedule(2025, "both", actor="test")
    row.held = [{"kind": "local", "target": "0114", "name": "Upplands Väsby", "reason": "1 siffra stämmer inte."},
                {"kind": "district", "target": "1", "name": "Stockholms län", "reason": "1 siffra stämmer inte."}]
    texts += [corpus.Text("stoppade brev", sentence) for sentence in held_sentences(row)]
    assert len(texts) >= 8
    problems = _check(texts)
    assert not problems, _report(problems)
