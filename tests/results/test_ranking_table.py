"""The ranking page: search, county filter, sorting by every column, and the Excel download."""
import io
import re

import pytest
from openpyxl import load_workbook

from hti_comms.results.table import COLUMNS
from tests.briefs.factories import store_year

#: code -> index, information, biståndshandläggning, utförande, stöd och utveckling
VALUES = {"0114": [60, 50, 70, 40, 80], "0115": [70, 80, 40, 60, 50], "0305": [65, 60, 60, 90, 45]}


@pytest.fixture
def year(db):
    store_year(2023, {"0114": 61, "0115": 62, "0305": 60})
    store_year(2024, VALUES)
    return 2024


def names(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)


def page(client, **args) -> str:
    response = client.get("/admin/resultat/2024", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_and_county_filter(staff_login, year):
    assert names(page(staff_login)) == ["Vallentuna", "Håbo", "Upplands Väsby"]
    html = page(staff_login, sok="väsby")
    assert names(html) == ["Upplands Väsby"] and "1 av 3 kommuner visas." in html
    html = page(staff_login, lan="03")
    assert names(html) == ["Håbo"]
    assert '<option value="03" selected>Uppsala län</option>' in html
    assert "Ingen kommun matchar sökningen." in page(staff_login, sok="Kiruna")


@pytest.mark.parametrize(("key", "first_click", "second_click"), [
    # The page starts sorted by place, best first, so its heading first asks for the reverse.
    ("plats", ["Upplands Väsby", "Håbo", "Vallentuna"], ["Vallentuna", "Håbo", "Upplands Väsby"]),
    ("kommun", ["Håbo", "Upplands Väsby", "Vallentuna"], ["Vallentuna", "Upplands Väsby", "Håbo"]),
    ("index", ["Vallentuna", "Håbo", "Upplands Väsby"], ["Upplands Väsby", "Håbo", "Vallentuna"]),
    ("information", ["Vallentuna", "Håbo", "Upplands Väsby"], ["Upplands Väsby", "Håbo", "Vallentuna"]),
    ("bistandshandlaggning", ["Upplands Väsby", "Håbo", "Vallentuna"], ["Vallentuna", "Håbo", "Upplands Väsby"]),
    ("utforande", ["Håbo", "Vallentuna", "Upplands Väsby"], ["Upplands Väsby", "Vallentuna", "Håbo"]),
    ("stod_och_utveckling", ["Upplands Väsby", "Vallentuna", "Håbo"], ["Håbo", "Vallentuna", "Upplands Väsby"]),
    ("lan", ["Vallentuna", "Upplands Väsby", "Håbo"], ["Håbo", "Upplands Väsby", "Vallentuna"]),
    ("forandring", ["Vallentuna", "Håbo", "Upplands Väsby"], ["Upplands Väsby", "Håbo", "Vallentuna"]),
])
def test_every_column_sorts_both_ways_from_its_heading(staff_login, year, key, first_click, second_click):
    start = page(staff_login)
    link = re.search(rf'href="([^"]*sortera={key}[^"]*)"', start).group(1).replace("&amp;", "&")
    first = staff_login.get(link).get_data(as_text=True)
    assert names(first) == first_click
    assert re.search(rf'aria-sort="(ascending|descending)">\s*<a class="sort" href="[^"]*sortera={key}', first)
    link = re.search(rf'href="([^"]*sortera={key}[^"]*)"', first).group(1).replace("&amp;", "&")
    assert names(staff_login.get(link).get_data(as_text=True)) == second_click


def test_every_column_of_the_table_can_be_sorted():
    assert [c.key for c in COLUMNS] == ["plats", "kommun", "index", "information", "bistandshandlaggning",
                                        "utforande", "stod_och_utveckling", "lan", "forandring"]


def test_excel_download_has_every_figure_as_numbers(staff_login, year):
    response = staff_login.get("/admin/resultat/2024/rankning.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="hemtjanstindex-2024.xlsx"'
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Plats", "Kommunkod", "Kommun", "Index", "Information")
    assert rows[1][:6] == (1, "0115", "Vallentuna", 70.0, 80.0, 1)
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name["Upplands Väsby"][-3:] == (61.0, -1.0, -1)  # index last year, change, places (2nd → 3rd)
    assert by_name["Riksgenomsnitt"][3] == 65.0
    assert len(rows) == 1 + 3 + 1
    assert "rankning.xlsx" in page(staff_login)
