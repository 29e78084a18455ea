import json

from hti_comms.briefs.national import build_national_summary
from tests.briefs.factories import store_year

TALKING_POINT_KEYS = {"municipality_code", "municipality_name", "year", "index", "rank", "ranked_count",
                      "national_average", "previous_rank", "rank_change", "points"}


def two_years():
    store_year(2023, {"0114": "60.0", "0115": "70.0", "0117": "65.0", "0305": "50.0", "0980": "55.0"})
    store_year(2024, {"0114": "72.5", "0115": "68.0", "0117": "68.0", "0305": "60.0", "0980": "52.0"})


def test_national_summary_with_ties_movers_and_counties(db):
    two_years()
    summary = build_national_summary(2024)
    data = summary.as_json()
    assert data["year"] == 2024
    assert data["national_average"] == 64.1  # (72,5 + 68 + 68 + 60 + 52) / 5
    assert data["national_average_change"] == 4.1
    assert data["top"] == [{"code": "0114", "name": "Upplands Väsby", "index": 72.5, "rank": 1},
                           {"code": "0115", "name": "Vallentuna", "index": 68.0, "rank": 2},
                           {"code": "0117", "name": "Österåker", "index": 68.0, "rank": 2}]
    # 2023 places: 0115 1, 0117 2, 0114 3, 0980 4, 0305 5. 2024: 0114 1, 0115/0117 2, 0305 4, 0980 5.
    assert data["biggest_climber"] == {"code": "0114", "name": "Upplands Väsby", "from_rank": 3, "to_rank": 1,
                                       "places": 2, "shared_with": []}
    assert data["biggest_faller"] == {"code": "0115", "name": "Vallentuna", "from_rank": 1, "to_rank": 2,
                                      "places": 1, "shared_with": [{"code": "0980", "name": "Gotland"}]}
    assert [(c["county_name"], [b["name"] for b in c["best"]]) for c in data["best_per_county"]] == [
        ("Stockholms län", ["Upplands Väsby"]), ("Uppsala län", ["Håbo"]), ("Gotlands län", ["Gotland"])]
    sentences = summary.sentences()
    assert "Genomsnittet för samtliga 5 kommuner 2024 är 64,1, en ökning med 4,1 enheter från 60,0 år 2023." in sentences
    assert ("Topp tre 2024: Upplands Väsby 72,5 (plats 1 av 5), Vallentuna 68,0 (delad plats 2 av 5) och "
            "Österåker 68,0 (delad plats 2 av 5).") in sentences
    assert ("Störst tapp sedan 2023: Vallentuna (från plats 1 till plats 2) och Gotland (från plats 4 till plats 5), "
            "som tappade en placering.") in sentences


def test_national_summary_first_year_has_no_movers(db):
    store_year(2022, {"0114": "60.0", "0115": "70.0"})
    data = build_national_summary(2022).as_json()
    assert data["biggest_climber"] is None and data["biggest_faller"] is None
    assert data["national_average_change"] is None
    assert "Det finns inga resultat för 2021, så ingen klättring eller inget tapp kan anges." in data["sentences"]


def test_cli_talking_points_json_shape(runner):
    two_years()
    result = runner.invoke(args=["hti", "talking-points", "Upplands Väsby", "--year", "2024", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert TALKING_POINT_KEYS <= data.keys()
    assert (data["municipality_code"], data["municipality_name"], data["year"]) == ("0114", "Upplands Väsby", 2024)
    assert (data["index"], data["rank"], data["ranked_count"]) == (72.5, 1, 5)
    assert (data["previous_rank"], data["rank_change"]) == (3, 2)
    assert data["points"][0].startswith("Upplands Väsby fick 72,5 i Hemtjänstindex 2024")


def test_cli_talking_points_text_by_code_and_first_year_nulls(runner):
    store_year(2022, {"0114": "60.0", "0115": "70.0"})
    text = runner.invoke(args=["hti", "talking-points", "115", "--year", "2022"])
    assert text.exit_code == 0
    assert "Talpunkter för Vallentuna, Hemtjänstindex 2022" in text.output
    assert "– Vallentuna fick 70,0 i Hemtjänstindex 2022, jämfört med genomsnittet 65,0" in text.output
    data = json.loads(runner.invoke(args=["hti", "talking-points", "0115", "--year", "2022", "--format", "json"]).output)
    assert data["previous_rank"] is None and data["rank_change"] is None


def test_cli_errors_are_swedish(runner):
    store_year(2024, {"0114": "60.0"})
    unknown = runner.invoke(args=["hti", "talking-points", "Atlantis", "--year", "2024"])
    assert unknown.exit_code != 0 and "Hittar ingen kommun som heter eller har koden ”Atlantis”." in unknown.output
    no_year = runner.invoke(args=["hti", "national-summary", "--year", "2030"])
    assert no_year.exit_code != 0 and "Det finns inga resultat för 2030." in no_year.output


def test_cli_national_summary(runner):
    two_years()
    data = json.loads(runner.invoke(args=["hti", "national-summary", "--year", "2024", "--format", "json"]).output)
    assert {"year", "national_average", "top", "biggest_climber", "biggest_faller", "best_per_county"} <= data.keys()
    assert set(data["biggest_climber"]) >= {"code", "name", "from_rank", "to_rank", "places"}
    text = runner.invoke(args=["hti", "national-summary", "--year", "2024"]).output
    assert "Störst klättring sedan 2023: Upplands Väsby (från plats 3 till plats 1), som klättrade 2 placeringar." in text
    assert "Bäst i Gotlands län: Gotland (52,0, plats 5 av 5)." in text
