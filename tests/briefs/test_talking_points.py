from decimal import Decimal

import pytest

from hti_comms.briefs.talking_points import BriefError, build_talking_points, resolve_municipality
from hti_comms.briefs.wording import ASPECTS, difference, gap
from hti_comms.formatting import format_number
from tests.briefs.factories import store_year

# Stockholms län: 0114 Upplands Väsby, 0115 Vallentuna, 0117 Österåker, 0120 Värmdö; 0305 Håbo (Uppsala län).


def points_for(code: str, year: int):
    return build_talking_points(resolve_municipality(code), year)


def test_difference_is_from_exact_values_not_from_rounded_sides():
    # 62,3 against an exact average of 58,85 (shown 58,9): the true gap 3,45 is written 3,5, not 62,3 − 58,9.
    assert format_number(Decimal("58.85")) == "58,9"
    assert difference(Decimal("62.3"), Decimal("58.85")) == Decimal("3.5")
    assert gap(Decimal("62.3"), Decimal("58.85")) == "3,5 enheter över genomsnittet"
    # 62,349 (shown 62,3) against 58,851 (shown 58,9): true gap 3,498 → 3,5; the shown sides give 3,4.
    assert gap(Decimal("62.349"), Decimal("58.851")) == "3,5 enheter över genomsnittet"
    # 60,05 against 59,96 is shown as 60,1 and 60,0, yet the true gap 0,09 is written 0,1 — and a gap that
    # rounds to 0,0 is "i nivå med", never "0,0 över".
    assert gap(Decimal("60.05"), Decimal("59.96")) == "0,1 enheter över genomsnittet"
    assert gap(Decimal("60.04"), Decimal("60.00")) == "i nivå med genomsnittet"
    # 60,05 against 60,04 is shown as 60,1 and 60,0 (naively "0,1 över"), but the true gap 0,01 is level.
    assert gap(Decimal("60.05"), Decimal("60.04")) == "i nivå med genomsnittet"
    assert gap(Decimal("59.9"), Decimal("60.0")) == "0,1 enheter under genomsnittet"
    assert gap(Decimal("61.0"), Decimal("60.0")) == "1,0 enhet över genomsnittet"


def test_index_sentence_uses_the_exact_national_average(db):
    # Average of 62,3 and 55,4 is exactly 58,85: shown as 58,9, and the gaps are ±3,45 → 3,5.
    store_year(2024, {"0114": "62.3", "0115": "55.4"})
    text = points_for("0114", 2024).texts("index")[0]
    assert text == ("Upplands Väsby fick 62,3 i Hemtjänstindex 2024, jämfört med genomsnittet 58,9 för samtliga "
                    "kommuner, alltså 3,5 enheter över genomsnittet. Det ger plats 1 av 2 i rankningen.")
    assert "3,5 enheter under genomsnittet" in points_for("0115", 2024).texts("index")[0]


def test_three_decimal_values_round_only_when_written(db):
    store_year(2024, {"0114": "60.049", "0115": "59.951"})
    point = points_for("0114", 2024)
    assert "fick 60,0 i Hemtjänstindex 2024, jämfört med genomsnittet 60,0" in point.texts("index")[0]
    assert "i nivå med genomsnittet" in point.texts("index")[0]
    assert point.as_json()["difference_from_national_average"] == 0.0


def test_shared_place_is_said_as_shared(db):
    store_year(2024, {"0114": "70.0", "0115": "65.5", "0117": "65.5", "0120": "60.0"})
    assert "Det ger delad plats 2 av 4 i rankningen." in points_for("0115", 2024).texts("index")[0]
    assert "Det ger plats 4 av 4 i rankningen." in points_for("0120", 2024).texts("index")[0]
    county = points_for("0117", 2024).texts("county")[0]
    assert county == ("I Stockholms län hamnar Österåker på delad plats 2 av 4. Länets genomsnitt är 65,3, "
                      "och Österåker ligger 0,3 enheter över länets genomsnitt.")


def test_first_year_has_no_trend(db):
    store_year(2022, {"0114": "70.0", "0115": "60.0"})
    point = points_for("0114", 2022)
    assert point.texts("trend") == [
        "Det finns inga resultat för 2021, så 2022 års resultat kan inte jämföras med året innan."]
    everything = " ".join(point.texts())
    for invented in ("klättr", "tappat", "ökat", "minskat", "tapp med"):
        assert invented not in everything
    data = point.as_json()
    assert data["previous_rank"] is None and data["rank_change"] is None


def test_climber_and_faller_in_points_and_places(db):
    store_year(2023, {"0114": "60.0", "0115": "70.0", "0117": "65.0"})
    store_year(2024, {"0114": "72.5", "0115": "68.0", "0117": "65.0", "0120": "50.0"})
    climber = points_for("0114", 2024)
    assert climber.texts("trend") == [
        "Sedan 2023 har indexet ökat med 12,5 enheter, från 60,0 till 72,5. Upplands Väsby har klättrat "
        "2 placeringar, från plats 3 av 3 till plats 1 av 4."]
    assert "Det är en klättring med 2 placeringar sedan 2023." in climber.texts("press")[0]
    faller = points_for("0115", 2024)
    assert faller.texts("trend") == [
        "Sedan 2023 har indexet minskat med 2,0 enheter, från 70,0 till 68,0. Vallentuna har tappat "
        "en placering, från plats 1 av 3 till plats 2 av 4."]
    same = points_for("0117", 2024)
    assert same.texts("trend")[0].startswith("Indexet är oförändrat sedan 2023, 65,0. Österåker har tappat en placering")
    newcomer = points_for("0120", 2024)
    assert newcomer.texts("trend") == ["Värmdö saknar resultat för 2023, så förändringen sedan dess kan inte anges."]
    assert climber.as_json()["previous_rank"] == 3 and climber.as_json()["rank_change"] == 2
    assert faller.as_json()["rank_change"] == -1


def test_strongest_and_weakest_relative_to_each_national_average(db):
    # Sub-index national averages: information 60, bistånd 50, utförande 70, stöd 55.
    store_year(2024, {"0114": ["60.0", "62.0", "50.0", "66.0", "60.0"],
                      "0115": ["60.0", "58.0", "50.0", "74.0", "50.0"]})
    texts = points_for("0114", 2024).texts("sub_index")
    # Utförande is the highest value (66,0) but 4,0 below its average; stöd 60,0 is 5,0 above its average.
    assert texts == [
        "Starkast i förhållande till riksgenomsnittet är Stöd och utveckling: 60,0 mot genomsnittet 55,0, "
        "5,0 enheter över genomsnittet.",
        "Svagast i förhållande till riksgenomsnittet är Utförande: 66,0 mot genomsnittet 70,0, "
        "4,0 enheter under genomsnittet.",
    ]
    questions = points_for("0114", 2024).texts("question")
    assert len(questions) == 2  # only one area is below its average
    assert all("(utförande)" in q for q in questions)
    assert all(any(f"Fråga om {aspect} " in q for aspect in ASPECTS) for q in questions)


def test_questions_cover_the_two_weakest_areas(db):
    store_year(2024, {"0114": ["50.0", "40.0", "45.0", "60.0", "55.0"],
                      "0115": ["70.0", "60.0", "55.0", "60.0", "55.0"]})
    questions = points_for("0114", 2024).texts("question")
    assert len(questions) == 3
    assert [q.split("(")[1].split(")")[0] for q in questions] == ["information", "information", "biståndshandläggning"]
    assert "där Upplands Väsby ligger 10,0 enheter under genomsnittet" in points_for("0114", 2024).texts("press")[0]


def test_missing_sub_index_is_reported_not_written_around(db):
    store_year(2024, {"0114": ["60.0", "62.0", "58.0", "", "61.0"], "0115": ["58.0", "58.0", "58.0", "58.0", "58.0"]})
    point = points_for("0114", 2024)
    assert point.texts("missing") == [
        "Uppgift saknas för delindexet Utförande 2024. Det ingår därför inte i jämförelsen av delindexen."]
    assert not any("Utförande" in t for t in point.texts("sub_index", "question", "press"))
    assert point.as_json()["sub_indices"][2] == {"name": "utforande", "label": "Utförande", "value": None,
                                                 "national_average": 58.0}


def test_municipality_without_result_says_so(db):
    store_year(2024, {"0114": "60.0"})
    point = points_for("0305", 2024)
    assert point.texts() == ["Håbo har inget resultat i Hemtjänstindex 2024. Därför finns inga talpunkter om "
                             "kommunens index, placering eller delindex för det året."]
    assert point.as_json()["index"] is None and point.as_json()["rank"] is None


def test_only_municipality_of_its_county(db):
    store_year(2024, {"0980": "51.7", "0114": "60.0"})
    assert points_for("Gotland", 2024).texts("county") == [
        "Gotland är den enda kommunen i Gotlands län med resultat 2024, så länets genomsnitt är kommunens eget "
        "index, 51,7."]


def test_press_comment_has_the_numbers_filled_in(db):
    store_year(2024, {"0114": "62.3", "0115": "55.4"})
    press = points_for("0115", 2024).texts("press")[0]
    assert press.startswith("Citat till pressen, att använda under ditt eget namn och uppdrag: ”Hemtjänsten i "
                            "Vallentuna får 55,4 i Hemtjänstindex 2024, 3,5 enheter under genomsnittet för Sveriges "
                            "kommuner, och hamnar på plats 2 av 2.")
    # Nothing is left for the reader to fill in: no [namn], [uppdrag] in mail to council members.
    assert "[" not in press and press.endswith("”")


def test_demo_data_is_flagged_first(db):
    from hti_comms.results.services import load_demo_results

    years = load_demo_results()
    point = points_for("0114", years[-1])
    assert point.points[0].kind == "demo" and "demodata" in point.points[0].text


def test_unknown_municipality_and_year(db):
    with pytest.raises(BriefError, match="Hittar ingen kommun"):
        resolve_municipality("Atlantis")
    with pytest.raises(BriefError, match="Det finns inga resultat för 2031."):
        points_for("0114", 2031)
