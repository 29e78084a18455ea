"""Results files from the attack (issue 17, items 5 and 8): a number too large to write out gave a server error,
and a 19 MB file took 11.8 s and 805 MB; both now get a Swedish message naming the line, in bounded memory."""
from __future__ import annotations

import io
import tracemalloc

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hti_comms.geo.services import municipalities_by_code
from hti_comms.results.importer import parse_results_file
from hti_comms.results.models import IndexResult
from hti_comms.results.services import import_results
from tests.helpers import HEADER, form_csrf_token, results_rows, to_csv


def _upload(client, data: bytes, filename: str = "resultat.csv"):
    token = form_csrf_token(client, "/admin/resultat/importera")
    return client.post("/admin/resultat/importera", content_type="multipart/form-data",
                       data={"csrf_token": token, "year": "2024", "file": (io.BytesIO(data), filename)})


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(IndexResult))


def test_1e27_in_a_cell_is_named_on_the_import_page_not_a_server_error(staff_login, db):
    rows = results_rows()
    rows[3][2] = "1e27"
    response = _upload(staff_login, to_csv(rows))
    assert response.status_code == 200
    assert "Rad 5, kolumn ”index”: ”1e27” ligger utanför 0–100" in response.get_data(as_text=True)
    assert _count(db) == 0


@pytest.mark.parametrize(("typed", "shown"), [
    ("1e27", "”1e27” ligger utanför 0–100"),
    ("-1E+27", "”-1E+27” ligger utanför 0–100"),
    ("1e999999", "”1e999999” ligger utanför 0–100"),
    ("100.00000000000000000000000000001", "”100.00000000000000000000000000001” ligger utanför 0–100"),
    ("-0.0000000000000000000000000000001", "”-0.0000000000000000000000000000001” ligger utanför 0–100"),
    ("1e3", "”1e3” ligger utanför 0–100"),
    ("101", "101,0 ligger utanför 0–100"),
    ("150,25", "150,25 ligger utanför 0–100"),
])
def test_out_of_range_values_of_any_size_get_a_message(db, typed, shown):
    rows = results_rows(3)
    rows[1][4] = typed
    outcome = import_results(to_csv(rows, delimiter=";"), "fel.csv", 2024)
    assert [str(p) for p in outcome.all_problems] == [f"Rad 3, kolumn ”bistandshandlaggning”: {shown}"]


def _many_rows_csv(size: int) -> bytes:
    """The 290 municipalities' rows again and again, to `size` bytes: what the attack uploaded."""
    one_round = to_csv(results_rows(), delimiter=";").split(b"\r\n", 1)[1]
    return to_csv([], delimiter=";") + one_round * (size // len(one_round) + 1)


def test_a_19_mb_results_file_is_refused_at_the_first_row_too_many_in_bounded_memory(app, db):
    data = _many_rows_csv(19 * 1024 * 1024)
    municipalities = municipalities_by_code()

    tracemalloc.start()
    try:
        parsed = parse_results_file(data, "resultat.csv", municipalities)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [str(p) for p in parsed.problems] == [
        "Rad 582: en resultatfil har en rad per kommun, högst 290, men den här har fler än 580 rader med innehåll. "
        "Kontrollera att det är rätt fil."]
    # Reading it whole took 805 MB; now what is kept is 580 rows and a chunk of text.
    assert peak < 8 * 1024 * 1024, f"reading the file took {peak / 1e6:.1f} MB"


def test_a_file_with_the_rows_twice_is_still_checked_line_by_line(db):
    rows = results_rows() + results_rows()
    outcome = import_results(to_csv(rows), "dubbel.csv", 2024)
    problems = [str(p) for p in outcome.all_problems]
    assert len(problems) == 290 and problems[0].startswith("Rad 292, kolumn ”kommunkod”: Upplands Väsby (0114) "
                                                           "finns redan på rad 2")
    assert _count(db) == 0


def test_an_excel_file_with_too_many_rows_is_refused_too(db):
    workbook = Workbook()
    workbook.active.append(HEADER)
    for _round in range(3):
        for row in results_rows():
            workbook.active.append([row[0], row[1], *[float(v) for v in row[2:]]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = import_results(buffer.getvalue(), "resultat.xlsx", 2024)
    assert [p.line for p in outcome.all_problems] == [582]
    assert "fler än 580 rader med innehåll" in str(outcome.all_problems[0])
    assert _count(db) == 0


def test_the_cli_names_the_line_of_1e27(runner, tmp_path, db):
    rows = results_rows()
    rows[0][3] = "1e27"
    path = tmp_path / "resultat.csv"
    path.write_bytes(to_csv(rows))
    result = runner.invoke(args=["hti", "import-results", str(path), "--year", "2024"])
    assert result.exit_code == 1
    assert "Rad 2, kolumn ”information”: ”1e27” ligger utanför 0–100" in result.output
