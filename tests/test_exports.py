"""Every spreadsheet the app hands out goes through one writer (hti_comms.exports), and no text in it is a formula
(issue 17, item 4): an address typed into the public registration form, `=cmd|'/ccalc'!a0@example.se`, landed in
anmalda.csv as it was, and the embargo log escaped nothing."""
from __future__ import annotations

import ast
import csv
import io
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hti_comms import clock
from hti_comms.exports import FORMULA_STARTS, Figure, csv_document, escape_text, xlsx_document
from hti_comms.geo.models import County, Municipality
from hti_comms.publication import audit
from hti_comms.publication.models import AuditAction
from hti_comms.results.models import ResultSet
from hti_comms.results.services import import_results
from tests.events.helpers import make_event, sign_up
from tests.helpers import results_rows, to_csv

PACKAGE = Path(__file__).resolve().parent.parent / "hti_comms"
ADDRESS = "=cmd|'/ccalc'!a0@example.se"
#: Text that spreadsheet programs run: one for each character a formula can begin with.
HOSTILE = ("=cmd|'/ccalc'!a0", "+cmd|'/ccalc'!a0", "-2+3+cmd|'/ccalc'!a0", "@SUM(1+1)*cmd|'/ccalc'!a0",
           "\t=cmd|'/ccalc'!a0", "\r=cmd|'/ccalc'!a0")
#: A number as the CSV writes it (decimal comma, plain minus); no spreadsheet program reads one as a formula.
CSV_NUMBER = re.compile(r"^[+-]?\d+(,\d+)?$")


# -- the writer ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_would_be_a_formula_gets_an_apostrophe(text):
    assert escape_text(text) == "'" + text
    assert escape_text("Åsa " + text) == "Åsa " + text  # only the first character makes a formula


def test_figures_are_numbers_in_both_formats_and_text_that_looks_like_one_is_text():
    rows = [["Lund", Decimal("-0.4"), Figure(Decimal("1.5"), signed=True), -1, "-0,4", None]]
    data = csv_document(["Kommun", "Index", "Förändring", "Placeringar", "Typat", "Tomt"], rows)
    assert data.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))[1] == \
        ["Lund", "-0,4", "+1,5", "-1", "'-0,4", ""]

    sheet = load_workbook(io.BytesIO(xlsx_document("Blad", ["Kommun", "Index", "Förändring", "Placeringar",
                                                            "Typat", "Tomt"], rows))).active
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in cells[:5]] == ["Lund", -0.4, 1.5, -1, "-0,4"]
    assert [c.data_type for c in cells[:5]] == ["s", "n", "n", "n", "s"]
    assert cells[4].quotePrefix and not cells[0].quotePrefix and cells[1].number_format == "0.0"
    assert sheet["A1"].font.bold


def test_xlsx_keeps_what_was_typed_as_text_never_a_formula():
    sheet = load_workbook(io.BytesIO(xlsx_document("Blad", ["Namn"], [[text] for text in HOSTILE]))).active
    for cell, text in zip(sheet["A"][1:], HOSTILE, strict=True):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


def test_a_bool_must_be_written_as_swedish_words():
    with pytest.raises(TypeError):
        csv_document(["Bekräftad"], [[True]])


WRITERS = {"csv.writer", "csv.DictWriter", "openpyxl.Workbook", "Workbook", "writer", "DictWriter"}


def _calls_a_writer(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in WRITERS or name.endswith((".writer", ".DictWriter", ".Workbook")):
                lines.append(node.lineno)
        if isinstance(node, ast.ImportFrom) and node.module == "openpyxl" and any(
                alias.name == "Workbook" for alias in node.names):
            lines.append(node.lineno)
    return lines


def test_no_module_but_exports_writes_a_spreadsheet():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "exports.py" and path.parent == PACKAGE:
            continue
        source = path.read_text(encoding="utf-8")
        lines = _calls_a_writer(ast.parse(source))
        lines += [n for n, line in enumerate(source.splitlines(), 1) if "text/csv" in line or "spreadsheetml" in line]
        if lines:
            found[str(path.relative_to(PACKAGE.parent))] = sorted(lines)
    assert not found, f"Write CSV and XLSX through hti_comms.exports (csv_document, xlsx_document, download): {found}"


def test_the_guard_finds_a_writer():
    assert _calls_a_writer(ast.parse("import csv\ncsv.writer(out).writerow(row)\n")) == [2]
    assert _calls_a_writer(ast.parse("from openpyxl import Workbook\n")) == [1]


# -- every export of the app -----------------------------------------------------------------------------------

#: A value for every argument a route takes; a route with a new argument fails the walk until it has one here.
def _arguments(planted: dict) -> dict:
    return {"year": 2025, "code": "0114", "event_id": planted["event_id"], "token": "x", "kind": "newsletter",
            "kind_key": "text", "newsletter_id": 1, "section_id": 1, "image_id": 1, "send_id": 1, "message_id": 1,
            "contact_id": 1, "audience_id": 1, "import_id": 1, "registration_id": planted["registration_id"],
            "order_id": 1, "district_id": planted["district_id"], "number": 1, "user_id": 1, "request_id": 1,
            "decision": "rakna-som-skickade", "measure_id": 1, "submission_id": 1, "upload_id": 1, "trial_id": 1,
            "report_id": 1, "batch_id": 1}


@pytest.fixture
def renamed_place(app, db, planted):
    """Upplands Väsby and its county renamed to formulas after the results were imported (the ranking downloads
    show their names); the names are put back afterwards (reference data outlives a test)."""
    municipality, county = db.session.get(Municipality, "0114"), db.session.get(County, "01")
    kept = (municipality.name, municipality.short_name, county.name, county.short_name)
    municipality.name, municipality.short_name = HOSTILE[0] + " kommun", HOSTILE[0]
    county.name, county.short_name = HOSTILE[3] + " län", HOSTILE[3]
    db.session.commit()
    yield
    db.session.rollback()
    municipality, county = db.session.get(Municipality, "0114"), db.session.get(County, "01")
    municipality.name, municipality.short_name, county.name, county.short_name = kept
    db.session.commit()


@pytest.fixture
def planted(app, db):
    """Hostile text in every field the exports show: results of two public years (2025 down 1,0 on 2024, so
    the change figures are negative), a registration from the public form's values, the embargo log."""
    clock.set_now(datetime(2025, 10, 1, 7, 0, tzinfo=timezone.utc))
    for year, offset in ((2024, Decimal(1)), (2025, Decimal(0))):
        assert import_results(to_csv(results_rows(offset=offset)), f"{year}.csv", year).ok
        db.session.get(ResultSet, year).published_at = datetime(year, 9, 1, tzinfo=timezone.utc)
    event = make_event()
    registration = sign_up(event, name=HOSTILE[0], email=ADDRESS, role=HOSTILE[1], organisation=HOSTILE[2],
                           needs=HOSTILE[3], question=HOSTILE[0]).registration
    sign_up(event, name="Åsa Öberg", email="asa@example.se", organisation=HOSTILE[2])
    from hti_comms.events import feedback

    feedback.save_answer(registration, [5, 4], HOSTILE[1], False)  # the feedback export shows the free text
    audit.record(2025, AuditAction.ORDER_CREATED, actor=ADDRESS, municipality_code="0114", detail=HOSTILE[4])
    audit.record(2025, AuditAction.CONTACT_ADDED, actor=HOSTILE[2], municipality_code="0114", detail=HOSTILE[5])
    db.session.commit()
    from hti_comms.geo.models import District

    district = db.session.query(District).filter_by(county_code="01").one()
    return {"event_id": event.id, "registration_id": registration.id, "district_id": district.id}


def _exports(client, planted: dict) -> dict[str, tuple[str, bytes]]:
    """GET every route of the app (as staff); return endpoint -> (content type, body) of each spreadsheet."""
    arguments = _arguments(planted)
    app = client.application
    found = {}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        missing = sorted(set(rule.arguments) - set(arguments))
        assert not missing, f"{rule.rule}: add a value for {missing} to _arguments in tests/test_exports.py"
        with app.test_request_context():
            from flask import url_for

            url = url_for(rule.endpoint, **{name: arguments[name] for name in rule.arguments})
        response = client.get(url)
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith(("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml")) \
                or response.headers.get("Content-Disposition", "").endswith(('.csv"', '.xlsx"', '.xls"', '.tsv"')):
            assert response.status_code == 200, url
            found[rule.endpoint] = (content_type, response.get_data())
        response.close()  # a file sent from disk (the favicon) stays open until then
    return found


def _csv_cells(data: bytes) -> list[str]:
    assert data.startswith("\ufeff".encode())  # Excel needs it to read å, ä and ö
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
            for cell in row]


def test_every_export_escapes_every_formula_and_keeps_figures_numbers(app, db, planted, renamed_place,
                                                                      staff_login):
    exports = _exports(staff_login, planted)
    assert {"public_results.ranking_csv", "results_admin.ranking_download", "events_admin.export",
            "publication_admin.log_csv"} <= set(exports), sorted(exports)

    problems = {}
    for endpoint, (content_type, data) in exports.items():
        problems[endpoint] = found = []
        if content_type.startswith("text/csv"):
            cells = _csv_cells(data)
            found += [f"would run: {c!r}" for c in cells if c.startswith(FORMULA_STARTS) and not CSV_NUMBER.match(c)]
            escaped = {c for c in cells if c.startswith("'") and c[1:].startswith(FORMULA_STARTS)}
            negative = [c for c in cells if CSV_NUMBER.match(c) and c.startswith("-")]
        else:
            workbook = load_workbook(io.BytesIO(data))
            cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
            found += [f"a formula cell: {c.coordinate}" for c in cells if c.data_type == "f"]
            text = [c for c in cells if isinstance(c.value, str)]
            found += [f"would run once edited: {c.value!r}" for c in text
                      if c.value.startswith(FORMULA_STARTS) and not c.quotePrefix]
            escaped = {c.value for c in text if c.value.startswith(FORMULA_STARTS) and c.quotePrefix}
            negative = [c.value for c in cells if isinstance(c.value, (int, float)) and c.value < 0]
        # The hostile text reached every export (so the checks above saw it), and every figure stayed a number.
        if not escaped:
            found.append("none of the planted text is in it, escaped")
        if endpoint in ("public_results.ranking_csv", "results_admin.ranking_download") and not negative:
            found.append("the negative changes are not numbers")
    assert not {endpoint: found[:3] for endpoint, found in problems.items() if found}

    registrations = _csv_cells(exports["events_admin.export"][1])
    assert "'" + ADDRESS in registrations and {"'" + text for text in HOSTILE[:4]} <= set(registrations)
    log = _csv_cells(exports["publication_admin.log_csv"][1])
    assert {"'" + ADDRESS, "'" + HOSTILE[2], "'" + HOSTILE[4], "'" + HOSTILE[5]} <= set(log)
    ranking = _csv_cells(exports["public_results.ranking_csv"][1])
    assert {"'" + HOSTILE[0], "'" + HOSTILE[3] + " län", "-1,0"} <= set(ranking)
