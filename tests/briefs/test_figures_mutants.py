"""The figure check's own logic, sentence by sentence: what `make mutation` found the brief tests let through (see
mutation/). Runs on the `years` results of test_figures (2023 and 2024, a municipality without 2023, one without a
sub-index)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from hti_comms.briefs.figures import (
    FigureMismatch, Mismatch, check_figures, check_talking_points, derive, verify_claims, verify_points, verify_text,
    year_figures,
)
from hti_comms.extensions import db
from hti_comms.geo.models import Municipality
from tests.briefs.test_figures import points_of, years  # noqa: F401 - the fixture


def test_a_year_without_results_is_a_mismatch_not_a_pass(years):
    with pytest.raises(FigureMismatch) as refused:
        year_figures(2030)
    assert refused.value.mismatches == [Mismatch("Resultat för 2030", "2030", None)]
    with pytest.raises(FigureMismatch):
        check_figures(2030, "0114", ["Upplands Väsby fick 72,5."])


def test_each_number_is_compared_with_its_own_claim_in_order(years):
    figures = derive(2024)
    vasby = figures.municipality("0114")
    text = "Upplands Väsby fick 72,5 och plats 2 av 5."
    assert verify_claims(text, ("index", "place"), figures, vasby) == []
    assert [m.stated for m in verify_claims(text, ("place", "index"), figures, vasby)] == ["72,5", "plats 2 av 5"]
    missing = verify_claims("Upplands Väsby fick 72,5.", ("index", "place"), figures, vasby)
    assert [(m.stated, m.expected) for m in missing] == [("", "plats 2 av 5")]
    extra = verify_claims(text, ("index",), figures, vasby)
    assert [(m.stated, m.expected) for m in extra] == [("plats 2 av 5", None)]
    # A municipality without last year's result: a change stated for it agrees with nothing.
    varmdo = figures.municipality("0120")
    stated = verify_claims("Indexet har ökat med 2,0 enheter.", ("change",), figures, varmdo)
    assert [(m.stated, m.expected) for m in stated] == [("ökat med 2,0 enheter", "uppgift saknas")]


def test_a_municipality_without_a_figure_has_every_number_for_it_refused(years):
    name_0120 = db.session.get(Municipality, "0120").name
    assert verify_text(f"{name_0120} har ökat med 0,0 enheter sedan 2023.", 2024, "0120")
    assert verify_text(f"{name_0120} fick 50,0 i Hemtjänstindex 2024.", 2024, "0120") == []


def test_numbered_lists_must_count_from_one(years):
    figures = derive(2024)
    right = "1. Upplands Väsby fick 72,5.\n2. Plats 2 av 5.\n1. Hemtjänstindex 2024.\n2. Hemtjänstindex 2024."
    assert verify_text(right, figures, "0114") == []
    wrong = verify_text("1. Hemtjänstindex 2024.\n3. Hemtjänstindex 2024.", figures, "0114")
    assert wrong == [Mismatch("3. Hemtjänstindex 2024.", "3", "2")]
    assert [(m.stated, m.expected) for m in verify_text("2. Hemtjänstindex 2024.", figures, "0114")] == [("2", "1")]


def test_a_district_line_is_about_the_municipalities_it_names(years):
    figures = derive(2024)
    vasby = db.session.get(Municipality, "0114")
    district = vasby.district_id
    members = [m for m in figures.municipalities.values() if m.district_id == district]
    assert any(m.code == "0114" for m in members)
    assert verify_text("Upplands Väsby fick 72,5.", figures, district_id=district) == []
    assert verify_text("Upplands Väsby fick 80,0.", figures, district_id=district) != []
    # Håbo, of another district, is no member: its own figure is not one the line may state.
    assert verify_text("Håbo fick 80,0.", figures, district_id=district) != []
    # A line naming no member may state only the year's national figures.
    assert verify_text("Kommunen fick 72,5.", figures, district_id=district) != []
    assert verify_text("Distriktets 99 kommuner.", figures, district_id=district) != []


def test_html_is_read_as_its_text_and_the_same_sentence_is_judged_once_per_message(years):
    figures = derive(2024)
    assert verify_text("<p>Upplands Väsby fick <b>72,5</b>.</p>", figures, "0114") == []
    assert verify_text("<p>Upplands Väsby fick <b>72,4</b>.</p>", figures, "0114") != []
    memo: dict = {}
    first = verify_text("Upplands Väsby fick 72,4.", figures, "0114", memo=memo)
    assert first and memo and verify_text("Upplands Väsby fick 72,4.", figures, "0114", memo=memo) == first
    assert verify_text("Upplands Väsby fick 72,5.", figures, "0114", memo=memo) == []
    # Tags in capitals are tags too: the 2 of <H2> is no number of the text.
    assert verify_text("<H2>Upplands Väsby</H2><P>Index 72,5.</P>", figures, "0114") == []
    # Text that only looks like a tag is text: "a < b > c" is no HTML.
    assert verify_text("Index 72,5 < 80,0 > 60,0.", figures, "0114") != []


def test_check_figures_skips_empty_texts_and_reports_every_mismatch(years):
    check_figures(2024, "0114", ["", None, "Upplands Väsby fick 72,5."])
    with pytest.raises(FigureMismatch) as refused:
        check_figures(2024, "0114", ["Upplands Väsby fick 72,4.", "", "Plats 3 av 5."])
    assert [m.stated for m in refused.value.mismatches] == ["72,4", "Plats 3 av 5"]
    assert "siffror stämmer inte" in str(refused.value)


def test_talking_points_are_checked_against_their_own_claims(years):
    points = points_of("0114")
    check_talking_points(points)
    check_talking_points(points, derive(2024))
    wrong = points_of("0115")
    wrong.municipality = db.session.get(Municipality, "0114")  # the right sentences, said of the wrong municipality
    with pytest.raises(FigureMismatch):
        check_talking_points(wrong)


def test_a_claim_the_check_cannot_know_is_a_programming_error(years):
    from hti_comms.briefs.figure_expectations import UnknownClaim, expected

    figures = derive(2024)
    with pytest.raises(UnknownClaim, match="^the claim 'place' needs a municipality$"):
        expected("place", figures, None)
    with pytest.raises(UnknownClaim, match="^no sub-index 'smak'$"):
        expected("sub:smak", figures, figures.municipality("0114"))


def test_a_change_that_rounds_to_nothing_is_about_the_same_even_when_the_indices_are_written_apart():
    from decimal import Decimal

    from hti_comms.briefs.figure_expectations import _change

    assert _change("change", Decimal("58.05"), Decimal("58.04")).about_same  # 58,1 and 58,0, a change of 0,0
    assert _change("change", Decimal("58.00"), Decimal("57.96")).about_same  # both 58,0
    assert _change("change", Decimal("58.04"), Decimal("57.95")).about_same  # a change of 0,1, both written 58,0
    assert not _change("change", Decimal("58.10"), Decimal("58.00")).about_same
    assert _change("change", None, Decimal("58.00")) is None and _change("change", Decimal("58.00"), None) is None


def test_check_figures_reads_a_district_line_as_about_the_members_it_names(years):
    district = db.session.get(Municipality, "0114").district_id
    both = "Upplands Väsby och Vallentuna fick 72,5 och 68,0 i Hemtjänstindex 2024."
    check_figures(2024, None, [both, "Distriktets 4 kommuner."], district_id=district)
    check_figures(derive(2024), None, [both], district_id=district)
    with pytest.raises(FigureMismatch) as refused:
        check_figures(2024, None, ["Upplands Väsby fick 72,5.", "Vallentuna fick 72,5."], district_id=district)
    assert [(m.sentence, m.stated) for m in refused.value.mismatches] == [("Vallentuna fick 72,5.", "72,5")]
    # Without a municipality or a district a line is about no municipality: only national figures pass.
    assert [m.stated for m in verify_text("Upplands Väsby fick 72,5.", derive(2024))] == ["72,5"]


def test_a_year_without_results_is_refused_even_when_there_is_nothing_to_read(years):
    with pytest.raises(FigureMismatch) as refused:
        check_figures(2030, "0114", ["", None])
    assert refused.value.mismatches == [Mismatch("Resultat för 2030", "2030", None)]


def test_the_same_sentence_about_another_member_is_judged_again(years):
    district = db.session.get(Municipality, "0114").district_id
    text = "Upplands Väsby. Index 72,5.\nVallentuna. Index 72,5."
    assert [(m.sentence, m.stated) for m in verify_text(text, derive(2024), district_id=district)] == [
        ("Index 72,5.", "72,5")]


def test_a_place_in_the_district_may_be_stated_only_on_a_district_line(years):
    # Upplands Väsby moved to Håbo's district: 2nd of 2 there, 1st of 4 in its county, 2nd of 5 in the country.
    habo = db.session.get(Municipality, "0305")
    db.session.get(Municipality, "0114").district_id = habo.district_id
    db.session.commit()
    figures = derive(2024)
    line = "Upplands Väsby ligger på plats 2 av 2 i distriktet."
    assert verify_text(line, figures, district_id=habo.district_id) == []
    check_figures(figures, None, [line, "Distriktets 2 kommuner."], district_id=habo.district_id)
    assert [m.stated for m in verify_text(line, figures, "0114")] == ["plats 2 av 2"]


def test_the_mismatch_names_the_figure_of_the_same_kind_the_results_give(years):
    figures = derive(2024)
    # A place among 4 is compared with the places among 4 (the county's, last year's), not the national one.
    place = verify_text("Upplands Väsby ligger på plats 2 av 4.", figures, "0114")
    assert [(m.stated, m.expected) for m in place] == [("plats 2 av 4", "plats 1 av 4")]
    almost = verify_text("Upplands Väsby är i stort sett oförändrat sedan 2023.", figures, "0114")
    assert [(m.stated, m.expected) for m in almost] == [("i stort sett oförändrat", "+12,5 enheter")]
    assert [(m.stated, m.expected) for m in verify_text("Det hände 17 gånger.", figures, "0114")] == [("17", None)]


def test_a_sentence_naming_a_sub_index_or_the_county_may_still_state_the_municipality_figures(years):
    figures = derive(2024)
    assert verify_text("Upplands Väsby fick 70,0 i Information och plats 2 av 5.", figures, "0114") == []
    assert verify_text("Upplands Väsby fick 72,5, länets genomsnitt är 63,9.", figures, "0114") == []
    # "Sedan dess" with no "Inför N planerade" before it in the paragraph is an ordinary sentence.
    assert verify_text("Sedan dess har Upplands Väsby ökat med 12,5 enheter.", figures, "0114") == []


def test_talking_points_are_checked_against_the_figures_given(years):
    points = points_of("0114")
    figures = derive(2024)
    figures.municipality("0114").index = Decimal("70.0")  # figures derived before a re-import, say
    assert "72,5" in [m.stated for m in verify_points(points, figures)]
    with pytest.raises(FigureMismatch):
        check_talking_points(points, figures)
    assert verify_points(points) == []


def test_a_missing_extra_or_wrong_number_is_reported_with_its_sentence_and_what_it_should_state(years):
    figures = derive(2024)
    vasby = figures.municipality("0114")
    assert verify_claims("Upplands Väsby fick.", ("index",), figures, vasby) == [
        Mismatch("Upplands Väsby fick.", "", "72,5")]
    extra = "Upplands Väsby fick 72,5 och plats 2 av 5."
    assert verify_claims(extra, ("index",), figures, vasby) == [Mismatch(extra, "plats 2 av 5", None)]
    wrong = "Upplands Väsby fick 72,4."
    assert verify_claims(wrong, ("index",), figures, vasby) == [Mismatch(wrong, "72,4", "72,5")]
    # Värmdö has no 2023 result: the missing change is still a missing number, of no known value.
    assert verify_claims("Indexet har ökat.", ("change",), figures, figures.municipality("0120")) == [
        Mismatch("Indexet har ökat.", "", "ett tal")]


def test_unchanged_is_said_only_of_the_very_same_index(years):
    figures = derive(2024)
    # Österåker had 65,0 both years; Upplands Väsby went from 60,0 to 72,5.
    for words in ("oförändrat", "i stort sett oförändrat"):
        assert verify_text(f"Österåker har {words} index sedan 2023.", figures, "0117") == []
        assert [m.stated for m in verify_text(f"Upplands Väsby har {words} index sedan 2023.", figures, "0114")] == [
            words]
    # A change written as a number may state the unchanged index its claim names.
    osteraker = figures.municipality("0117")
    assert verify_claims("Indexet har ändrats +0,0 enheter.", ("unchanged",), figures, osteraker) == []
    assert verify_claims("Indexet har ändrats +0,1 enheter.", ("unchanged",), figures, osteraker) != []


def test_a_number_of_another_kind_with_the_same_digits_is_refused(years):
    figures = derive(2024)
    # 5,4 is Upplands Väsby's gap to the national average, not its index.
    assert [m.stated for m in verify_text("Upplands Väsby fick 5,4.", figures, "0114")] == ["5,4"]
    assert verify_text("Upplands Väsby ligger 5,4 enheter över genomsnittet.", figures, "0114") == []


def test_counts_of_municipalities_are_the_ranked_ones_and_the_district_members_with_a_result(years):
    figures = derive(2024)
    assert verify_text("Rankningen omfattar samtliga 5 kommuner.", figures, "0114") == []
    assert verify_text("Rankningen omfattar samtliga 4 kommuner.", figures, "0114") != []
    # Gotland's district has no result in 2024: none of its municipalities is counted.
    gotland = db.session.get(Municipality, "0980").district_id
    assert verify_text("Distriktets 0 kommuner.", figures, district_id=gotland) == []
    assert verify_text("Distriktets 1 kommuner.", figures, district_id=gotland) != []


def test_an_unknown_claim_says_which(years):
    from hti_comms.briefs.figure_expectations import UnknownClaim, expected

    figures = derive(2024)
    vasby = figures.municipality("0114")
    with pytest.raises(UnknownClaim, match="^unknown claim 'rank'$"):
        expected("rank", figures, vasby)
    with pytest.raises(UnknownClaim, match="^unknown claim 'value:information'$"):
        expected("value:information", figures, vasby)
    with pytest.raises(UnknownClaim, match="^no sub-index 'smak:information'$"):
        expected("sub:smak:information", figures, vasby)
