from decimal import Decimal

import pytest

from hti_comms.results.ranking import competition_ranks, compute_ranking
from hti_comms.results.services import import_results
from tests.helpers import results_rows, to_csv


def rows_with(values: dict[str, str]) -> list[list[str]]:
    """Return rows for the given code -> index; sub-indices equal the index."""
    from tests.helpers import reference_codes

    names = dict(reference_codes())
    return [[code, names[code], v, v, v, v, v] for code, v in values.items()]


def test_competition_ranking_shares_places():
    ranks = competition_ranks({"a": Decimal("70"), "b": Decimal("65"), "c": Decimal("65"), "d": Decimal("60"),
                               "e": None})
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}


def test_ties_share_a_place_in_the_ranking(db):
    import_results(to_csv(rows_with({"0114": "70.0", "0115": "65.5", "0117": "65.5", "0120": "60.0"})), "f.csv", 2024)
    ranking = compute_ranking(2024)
    assert [(e.municipality_code, e.rank) for e in ranking.entries] == [
        ("0114", 1), ("0115", 2), ("0117", 2), ("0120", 4)]
    assert ranking.shares_rank(ranking.entry("0115")) and not ranking.shares_rank(ranking.entry("0114"))
    assert ranking.ranked_count == 4


def test_national_and_county_averages_and_county_rank(db):
    # 0114, 0115 in Stockholms län; 0305 (Håbo) in Uppsala län.
    import_results(to_csv(rows_with({"0114": "70.0", "0115": "61.0", "0305": "52.3"})), "f.csv", 2024)
    ranking = compute_ranking(2024)
    assert ranking.national_average == (Decimal("70.0") + Decimal("61.0") + Decimal("52.3")) / 3
    vallentuna = ranking.entry("0115")
    assert (vallentuna.county_rank, vallentuna.county_count) == (2, 2)
    assert vallentuna.county_average == Decimal("65.5")
    habo = ranking.entry("0305")
    assert (habo.county_rank, habo.county_count, habo.county_average) == (1, 1, Decimal("52.3"))


def test_rank_per_sub_index(db):
    rows = rows_with({"0114": "70.0", "0115": "60.0"})
    rows[1][5] = "99"  # Vallentuna best on utförande
    import_results(to_csv(rows), "f.csv", 2024)
    ranking = compute_ranking(2024)
    assert ranking.entry("0115").ranks["utforande"] == 1
    assert ranking.entry("0114").ranks["utforande"] == 2
    assert ranking.entry("0114").ranks["index_value"] == 1


def test_change_since_previous_year(db):
    import_results(to_csv(rows_with({"0114": "60.0", "0115": "70.0", "0117": "65.0"})), "f.csv", 2023)
    import_results(to_csv(rows_with({"0114": "72.5", "0115": "68.0", "0117": "65.0", "0120": "50.0"})), "g.csv", 2024)
    ranking = compute_ranking(2024)
    climber = ranking.entry("0114")
    assert (climber.previous_rank, climber.rank, climber.rank_change) == (3, 1, 2)
    assert climber.index_change == Decimal("12.5")
    faller = ranking.entry("0115")
    assert (faller.rank_change, faller.index_change) == (-1, Decimal("-2.0"))
    assert (ranking.entry("0117").rank_change, ranking.entry("0117").index_change) == (-1, Decimal("0"))
    newcomer = ranking.entry("0120")
    assert newcomer.previous_rank is None and newcomer.rank_change is None and newcomer.index_change is None
    assert ranking.previous_year == 2023
    assert ranking.previous_national_average == Decimal("65")


def test_first_year_has_no_trend(db):
    import_results(to_csv(results_rows(10)), "f.csv", 2022)
    ranking = compute_ranking(2022)
    assert ranking.previous_year is None
    assert all(e.rank_change is None for e in ranking.entries)


def test_unknown_year_is_none(db):
    assert compute_ranking(1999) is None


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_results_cli(runner, db, fmt):
    import json

    import_results(to_csv(rows_with({"0114": "70.0", "0115": "65.5", "0117": "65.5"})), "f.csv", 2024)
    result = runner.invoke(args=["hti", "results", "--year", "2024", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(result.output)
        assert data["national_average"] == pytest.approx(67.0)
        assert [(r["rank"], r["municipality_name"]) for r in data["ranking"]] == [
            (1, "Upplands Väsby"), (2, "Vallentuna"), (2, "Österåker")]
    else:
        assert "riksgenomsnitt 67,0" in result.output
        assert "    2  Österåker                65,5" in result.output


def test_results_cli_unknown_year(runner, db):
    result = runner.invoke(args=["hti", "results", "--year", "2030"])
    assert result.exit_code != 0 and "Det finns inga resultat för 2030." in result.output


def test_previous_year_count_and_shared_places(db):
    import_results(to_csv(rows_with({"0114": "60.0", "0115": "60.0", "0117": "65.0"})), "f.csv", 2023)
    import_results(to_csv(rows_with({"0114": "72.5", "0115": "68.0"})), "g.csv", 2024)
    ranking = compute_ranking(2024)
    assert ranking.previous_ranked_count == 3
    assert ranking.shares_previous_rank(ranking.entry("0114"))  # both were 2nd in 2023
    # 0114 and 0115 are both in Stockholms län and differ this year.
    assert not ranking.shares_county_rank(ranking.entry("0114"))
    assert compute_ranking(2023).previous_ranked_count is None
