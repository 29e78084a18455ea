"""No false alarm: every sentence generated for every one of the 290 municipalities verifies.

Demo data (three years of plausible values) and a file full of ties (whole numbers in a narrow band, missing
sub-indices, a previous year) so that shared places, "i nivå med", unchanged indices and one-municipality
counties are all said somewhere.
"""
from __future__ import annotations

import random

import pytest

from hti_comms.briefs.emails import DISTRICT_DIGEST_TEMPLATE, LOCAL_BRIEF_TEMPLATE, local_brief_context
from hti_comms.briefs.figures import derive, verify_points, verify_text
from hti_comms.briefs.services import district_context, districts
from hti_comms.briefs.talking_points import build_talking_points
from hti_comms.delivery.render import render_template_pair
from hti_comms.geo.services import municipalities_by_code
from hti_comms.results.ranking import compute_ranking
from hti_comms.results.services import load_demo_results
from tests.briefs.factories import store_year
from tests.helpers import reference_codes


def tied_years() -> list[int]:
    """Store 2023 and 2024 with whole-number values in a narrow band: many shared places and level gaps."""
    rng = random.Random(12)
    codes = [code for code, _name in reference_codes()]
    for year in (2023, 2024):
        values = {}
        for position, code in enumerate(codes):
            index = rng.choice(["55.0", "56.0", "57.0", "57.04", "58.0"])
            subs = [rng.choice(["50.0", "55.0", "60.0", ""]) if position % 7 == 0 else index for _ in range(4)]
            values[code] = [index, *subs]
        if year == 2023:
            values.pop(codes[3])  # one municipality without last year's result
        store_year(year, values)
    # Gotland (0980) alone in its county: its county sentence says the county average is its own index.
    return [2023, 2024]


def assert_every_sentence_verifies(years):
    municipalities = municipalities_by_code()
    checked = 0
    for year in years:
        ranking, figures = compute_ranking(year), derive(year)
        for code, municipality in municipalities.items():
            points = build_talking_points(municipality, year, ranking)
            assert verify_points(points, figures) == [], (code, year)
            for text in points.texts():
                assert verify_text(text, figures, code) == [], (code, year, text)
            if points.entry is not None:
                context = local_brief_context(points)
                rows = [" / ".join((row["label"], row["value"], row["national_average"], row["gap"]))
                        for row in context["brief"]["figures"]]
                assert verify_text("\n".join(rows), figures, code) == [], (code, year, rows)
            checked += len(points.points)
        for district in districts():
            digest = district_context(district, ranking)
            if digest["rows"]:
                html, text = render_template_pair(DISTRICT_DIGEST_TEMPLATE, {"digest": digest},
                                                  subject=f"{district.name}: kommunerna i Hemtjänstindex {year}",
                                                  list_key="lokala-resultat").parts
                for part in (html, text):
                    assert verify_text(part, figures, district_id=district.id) == [], (district.name, year)
    assert checked > 290 * len(years) * 5


def test_every_sentence_of_the_demo_data_verifies(app):
    assert_every_sentence_verifies(load_demo_results())


def test_every_sentence_with_ties_and_gaps_verifies(db):
    assert_every_sentence_verifies(tied_years())


@pytest.mark.parametrize("code", ["0114", "0980", "2584"])
def test_the_rendered_local_brief_verifies(db, code):
    from hti_comms.briefs.emails import local_brief_subject

    for year in tied_years():
        points = build_talking_points(municipalities_by_code()[code], year)
        for embargoed in (False, True):
            context = local_brief_context(points, embargoed_audience=embargoed)
            subject = local_brief_subject(points, embargoed_audience=embargoed)
            html, text = render_template_pair(LOCAL_BRIEF_TEMPLATE, context, subject=subject,
                                              list_key="lokala-resultat").parts
            for part in (subject, html, text):
                assert verify_text(part, year, code) == [], (code, year, part)
