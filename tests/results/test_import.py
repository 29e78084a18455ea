import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hti_comms.results.models import IndexResult, ResultSet
from hti_comms.results.services import import_results
from tests.helpers import HEADER, results_rows, to_csv


def count_results(db) -> int:
    return db.session.scalar(select(func.count()).select_from(IndexResult))


def snapshot(db) -> list[tuple]:
    rows = db.session.execute(select(IndexResult.year, IndexResult.municipality_code, IndexResult.index_value)
                              .order_by(IndexResult.year, IndexResult.municipality_code)).all()
    return [tuple(r) for r in rows]


def test_imports_a_full_year_from_csv(db):
    outcome = import_results(to_csv(results_rows()), "hti2024.csv", 2024)

    assert outcome.ok and outcome.imported == 290
    assert outcome.parsed.notes == []
    assert count_results(db) == 290
    upplands_vasby = db.session.scalar(select(IndexResult).where(IndexResult.municipality_code == "0114"))
    assert upplands_vasby.index_value == Decimal("90.0")
    assert upplands_vasby.information == Decimal("91.0")
    assert db.session.get(ResultSet, 2024).is_demo is False


def test_semicolon_decimal_comma_and_bom(db):
    data = to_csv(results_rows(), delimiter=";", decimal_comma=True, bom=True)
    outcome = import_results(data, "excel.csv", 2024)
    assert outcome.imported == 290
    assert db.session.scalar(select(IndexResult.stod_och_utveckling).where(
        IndexResult.municipality_code == "0114")) == Decimal("89.5")


def test_xlsx_with_three_digit_codes_and_swedish_headers(db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Kommunkod", "Kommun", "Index", "Information", "Biståndshandläggning", "Utförande",
                  "Stöd och utveckling"])
    for row in results_rows(5):
        code = int(row[0])  # Excel drops the leading zero of 0114
        sheet.append([code, row[1], *[float(v) for v in row[2:]]])
    buffer = io.BytesIO()
    workbook.save(buffer)

    outcome = import_results(buffer.getvalue(), "resultat.xlsx", 2024)

    assert outcome.imported == 5
    assert db.session.scalar(select(IndexResult.index_value).where(IndexResult.municipality_code == "0114")) == \
        Decimal("90.0")
    assert "5 av 290 kommuner" in outcome.parsed.notes[0]


BAD_CASES = {
    "unknown code": (lambda rows: rows[3].__setitem__(0, "9999"), 5, "kommunkod", "9999 finns inte"),
    "not a code": (lambda rows: rows[3].__setitem__(0, "12a"), 5, "kommunkod", "är ingen kommunkod"),
    "above 100": (lambda rows: rows[6].__setitem__(2, "100.5"), 8, "index", "utanför 0–100"),
    "below 0": (lambda rows: rows[6].__setitem__(4, "-1"), 8, "bistandshandlaggning", "utanför 0–100"),
    "not a number": (lambda rows: rows[9].__setitem__(5, "bra"), 11, "utforande", "”bra” är inte ett tal"),
    "missing index": (lambda rows: rows[9].__setitem__(2, ""), 11, "index", "värde saknas"),
    "duplicate": (lambda rows: rows.__setitem__(20, list(rows[1])), 22, "kommunkod", "finns redan på rad 3"),
    "name contradicts code": (lambda rows: rows[0].__setitem__(1, "Solna"), 2, "kommun",
                              "”Solna” stämmer inte med kommunkod 0114 (Upplands Väsby)"),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_row_aborts_and_leaves_database_unchanged(db, case):
    import_results(to_csv(results_rows(offset=Decimal(-10))), "förra.csv", 2023)
    import_results(to_csv(results_rows()), "i år.csv", 2024)
    before = snapshot(db)
    mutate, line, column, message = BAD_CASES[case]
    rows = results_rows(offset=Decimal(1))
    mutate(rows)

    outcome = import_results(to_csv(rows), "fel.csv", 2024, replace=True)

    assert not outcome.ok
    texts = [str(p) for p in outcome.all_problems]
    assert any(t.startswith(f"Rad {line}, kolumn ”{column}”") and message in t for t in texts), texts
    assert snapshot(db) == before


def test_every_problem_is_reported_not_only_the_first(db):
    rows = results_rows(10)
    rows[0][2] = "abc"
    rows[5][0] = "0000"
    outcome = import_results(to_csv(rows), "fel.csv", 2024)
    lines = sorted(p.line for p in outcome.all_problems)
    assert lines == [2, 7]
    assert count_results(db) == 0


def test_missing_column_is_named(db):
    data = to_csv([row[:6] for row in results_rows(3)], header=HEADER[:6])
    outcome = import_results(data, "fel.csv", 2024)
    assert [str(p) for p in outcome.all_problems] == [
        "Rad 1: rubrikraden saknar kolumnen ”stod_och_utveckling”. Kolumnerna ska heta: kommunkod, index, "
        "information, bistandshandlaggning, utforande, stod_och_utveckling (och valfritt kommun)."
    ]


def test_empty_sub_index_is_stored_as_missing(db):
    rows = results_rows(3)
    rows[1][6] = ""
    outcome = import_results(to_csv(rows), "delvis.csv", 2024)
    assert outcome.ok
    assert "1 delindexvärden är tomma" in outcome.parsed.notes[-1]
    assert db.session.scalar(select(IndexResult.stod_och_utveckling).where(
        IndexResult.municipality_code == rows[1][0])) is None


def test_reimport_needs_confirmation_then_replaces(db):
    import_results(to_csv(results_rows()), "första.csv", 2024)
    again = import_results(to_csv(results_rows(100, offset=Decimal(1))), "andra.csv", 2024)
    assert again.needs_confirmation and not again.ok
    assert count_results(db) == 290

    replaced = import_results(to_csv(results_rows(100, offset=Decimal(1))), "andra.csv", 2024, replace=True)
    assert replaced.ok and replaced.replaced == 290
    assert count_results(db) == 100
    assert db.session.get(ResultSet, 2024).source == "andra.csv"


def test_cli_import_happy_path_and_report(runner, tmp_path, db):
    path = tmp_path / "hti.csv"
    path.write_bytes(to_csv(results_rows(250)))
    result = runner.invoke(args=["hti", "import-results", str(path), "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "250 kommuners resultat för 2024 är importerade." in result.output
    assert "Filen har resultat för 250 av 290 kommuner. 40 saknas:" in result.output


def test_cli_import_failure_exits_non_zero_with_line_numbers(runner, tmp_path, db):
    rows = results_rows()
    rows[0][3] = "101"
    path = tmp_path / "fel.csv"
    path.write_bytes(to_csv(rows))
    result = runner.invoke(args=["hti", "import-results", str(path), "--year", "2024"])
    assert result.exit_code != 0
    assert "Rad 2, kolumn ”information”: 101,0 ligger utanför 0–100" in result.output
    assert "Inget importerades: 1 fel i fel.csv" in result.output
    assert count_results(db) == 0


def test_cli_reimport_asks_and_replace_flag_skips_question(runner, tmp_path, db):
    path = tmp_path / "hti.csv"
    path.write_bytes(to_csv(results_rows()))
    runner.invoke(args=["hti", "import-results", str(path), "--year", "2024"])
    path.write_bytes(to_csv(results_rows(offset=Decimal(2))))

    declined = runner.invoke(args=["hti", "import-results", str(path), "--year", "2024"], input="n\n")
    assert declined.exit_code != 0 and "Det finns redan resultat för 2024 (290 kommuner)." in declined.output
    assert db.session.scalar(select(IndexResult.index_value).where(IndexResult.municipality_code == "0114")) == \
        Decimal("90.0")

    forced = runner.invoke(args=["hti", "import-results", str(path), "--year", "2024", "--replace"])
    assert forced.exit_code == 0, forced.output
    db.session.expire_all()
    assert db.session.scalar(select(IndexResult.index_value).where(IndexResult.municipality_code == "0114")) == \
        Decimal("92.0")


def test_not_a_spreadsheet(db):
    outcome = import_results(b"PK\x03\x04garbage", "trasig.xlsx", 2024)
    assert [str(p) for p in outcome.all_problems] == ["Filen kan inte läsas som en Excel-fil (.xlsx)."]


def test_utf16_tab_separated_file_as_excel_saves_unicode_text(db):
    """Excel's "Unicode text" is UTF-16 with a BOM and tabs; it used to be refused as "all columns missing"."""
    text = to_csv(results_rows(), delimiter="\t", decimal_comma=True).decode("utf-8")
    outcome = import_results(b"\xff\xfe" + text.encode("utf-16-le"), "resultat.txt", 2024)
    assert outcome.ok and outcome.imported == 290, [str(p) for p in outcome.parsed.problems]
    assert db.session.scalar(select(IndexResult.index_value).where(IndexResult.municipality_code == "0114")) == \
        Decimal("90.0")


def test_xlsx_rows_beyond_the_declared_dimension_are_imported(db):
    from tests.test_tabular import xlsx_with_declared_dimension

    rows = [HEADER] + [[row[0], row[1], *[float(v) for v in row[2:]]] for row in results_rows(20)]
    outcome = import_results(xlsx_with_declared_dimension(rows, "A1:G5"), "resultat.xlsx", 2024)
    assert outcome.imported == 20  # not the 4 rows the sheet claims to have
    assert count_results(db) == 20
