"""The register: staff enter and change measures on the web and on the command line; every change is a version
saying who, when and what; bad input is refused in Swedish naming the field, and nothing is saved."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from hti_comms.action_plans.models import Measure, MeasureVersion
from tests.helpers import form_csrf_token
from tests.publication.helpers import results_for_2025

from .helpers import add, cli_add


@pytest.fixture
def years(app):
    results_for_2025()


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_staff_enter_and_change_a_measure_and_the_history_says_who_when_and_what(staff_login, db, years):
    client = staff_login
    url = "/admin/atgardsplaner/2025/0114"
    response = client.post(url, data={"csrf_token": form_csrf_token(client, url), "area": "utforande",
                                      "text": "Att ge varje person en fast kontaktperson.", "horizon": "lang",
                                      "status": "planerad", "status_since": "2026-01-15", "source_url": ""},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Åtgärden är registrerad och visas på Upplands Väsbys resultatsida för 2025." in page
    measure = db.session.scalar(select(Measure))
    assert (measure.text, measure.status.value, measure.status_since.isoformat()) == (
        "ge varje person en fast kontaktperson", "planerad", "2026-01-15")

    edit = f"/admin/atgardsplaner/atgard/{measure.id}"
    client.post(edit, data={"csrf_token": form_csrf_token(client, edit), "area": "utforande",
                            "text": "ge varje person en fast kontaktperson", "horizon": "lang", "status": "pagar",
                            "status_since": "2026-03-02", "source_url": "https://www.vasby.example.se/kontakt"})
    page = client.get(edit).get_data(as_text=True)
    assert "Status: Planerad → Pågår" in page
    assert "Datum för status: torsdag 15 januari 2026 → måndag 2 mars 2026" in page
    assert "Källa: – → https://www.vasby.example.se/kontakt" in page
    assert page.count("personal@spf.example") == 2  # both versions name who made them
    versions = db.session.scalars(select(MeasureVersion).order_by(MeasureVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].changes["status"] == ["planerad", "pagar"] and "text" not in versions[1].changes


def test_a_status_moves_only_as_the_table_allows_and_nothing_is_saved_otherwise(runner, db, years):
    measure_id = cli_add(runner, "--year", "2025", "--municipality", "0114", "--area", "index", "--text",
                         "följa upp resultatet", "--status", "genomford")
    result = runner.invoke(args=["hti", "action-plan", "change", str(measure_id), "--status", "planerad"])
    assert result.exit_code != 0
    assert "Det går inte att gå från ”Genomförd” till ”Planerad”" in result.output
    assert db.session.get(Measure, measure_id).status.value == "genomford" and _count(db, MeasureVersion) == 1
    result = runner.invoke(args=["hti", "action-plan", "change", str(measure_id), "--status", "pagar"])
    assert result.exit_code == 0 and _count(db, MeasureVersion) == 2


BAD_INPUT = [
    (["--area", "ekonomi"], "Delindex: ”ekonomi” finns inte bland alternativen"),
    (["--text", "Bra!"], "Åtgärd: Skriv vad kommunen ska göra"),
    (["--text", "Bygga om webbplatsen. Sedan införa en kalkylator"], "Åtgärd: Skriv åtgärden som en enda mening"),
    (["--text", "förbättra\u202e informationen"], "Åtgärd: Texten innehåller ett osynligt tecken"),
    (["--source", "https://spfseniorerna.se@evil.example/plan"], "Källa: Länken"),
    (["--municipality", "Atlantis"], "Kommun: Hittar ingen kommun som heter eller har koden ”Atlantis”"),
    (["--year", "1999"], "År: Året 1999 är inte rimligt"),
]


def test_bad_input_on_the_command_line_is_refused_in_swedish_naming_the_field(runner, db):
    for args, message in BAD_INPUT:
        values = {"--year": "2025", "--municipality": "0114", "--area": "information",
                  "--text": "förbättra informationen", "--source": ""}
        values.update(dict(zip(args[::2], args[1::2])))
        result = runner.invoke(args=["hti", "action-plan", "add", *[x for pair in values.items() for x in pair]])
        assert result.exit_code != 0, args
        assert "Inget sparades." in result.output and message in result.output, (args, result.output)
    assert _count(db, Measure) == 0


def test_the_list_has_every_measure_of_the_year_by_municipality(runner, years):
    add(2025, "0115", "information", "ge tydligare information om avgifterna")
    add(2025, "0114", "stod_och_utveckling", "erbjuda digital tillsyn", horizon="lang", status="pagar",
        source_url="https://www.vasby.example.se/tillsyn")
    add(2024, "0114", "information", "förbättra informationen")
    listed = json.loads(runner.invoke(args=["hti", "action-plan", "list", "--year", "2025", "--format",
                                            "json"]).output)
    assert [(m["municipality_name"], m["area"], m["horizon"], m["status"]) for m in listed] == [
        ("Upplands Väsby", "stod_och_utveckling", "lang", "pagar"), ("Vallentuna", "information", "kort", "planerad")]
    assert listed[0]["source_url"] == "https://www.vasby.example.se/tillsyn" and listed[0]["versions"] == 1
    by_name = json.loads(runner.invoke(args=["hti", "action-plan", "list", "--year", "2025", "--municipality",
                                             "Vallentuna", "--format", "json"]).output)
    assert [m["municipality_code"] for m in by_name] == ["0115"]


def test_the_staff_pages_need_a_login(client):
    for url in ("/admin/atgardsplaner/", "/admin/atgardsplaner/2025", "/admin/atgardsplaner/2025/0114"):
        response = client.get(url)
        assert response.status_code == 302 and "/logga-in" in response.headers["Location"]


@pytest.mark.parametrize(("written", "area"), [
    ("index", "index"), ("Hela indexet", "index"), ("total", "index"), ("helheten", "index"),
    ("Biståndshandläggning", "bistandshandlaggning"), ("stöd och utveckling", "stod_och_utveckling"),
    ("UTFÖRANDE", "utforande")])
def test_an_area_is_known_by_its_code_its_swedish_name_and_common_words_for_the_whole_index(written, area):
    from hti_comms.action_plans.models import Area
    from hti_comms.action_plans.register import parse_choice

    assert parse_choice(Area, written, "Delindex") is Area(area)
