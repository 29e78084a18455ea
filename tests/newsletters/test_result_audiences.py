"""Audiences from index results (results.selection + subscribers.audiences), resolved in SQL.

A small hand-made ranking gives exact expectations; the demo results for 290 municipalities check the SQL
against the ranking module and the talking points' "weakest area" rule.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from hti_comms import clock
from hti_comms.extensions import db as _db
from hti_comms.results.models import SUB_INDICES, IndexResult, ResultSet
from hti_comms.results.ranking import compute_ranking, mean
from hti_comms.results.selection import ResultRule, ResultRuleError, ResultRuleKind, municipality_codes_query
from hti_comms.subscribers.audiences import AudienceError, Criteria, resolve
from hti_comms.subscribers.models import Audience

from tests.helpers import form_csrf_token

# code, short name → (index, information, bistandshandlaggning, utforande, stod_och_utveckling) per year
TOWNS = {"0114": "Upplands Väsby", "0180": "Stockholm", "0581": "Norrköping", "1480": "Göteborg",
         "0643": "Habo", "2480": "Umeå"}
RESULTS = {
    2024: {"0114": (80, 80, 80, 80, 80), "0180": (75, 75, 75, 75, 75), "0581": (70, 70, 70, 70, 70),
           "1480": (65, 65, 65, 65, 65), "0643": (60, 60, 60, 60, 60), "2480": (55, 55, 55, 55, 55)},
    # Places 2025: Umeå 1, Habo 2, Stockholm 3, Upplands Väsby and Norrköping share 4, Göteborg 6.
    # Sub-index averages: information 70, biståndshandläggning 70, utförande 68,333…, stöd och utveckling 69.
    2025: {"2480": (85, 90, 70, 75, 65), "0643": (79, 80, 65, 80, 70), "0180": (75, 70, 75, 60, 70),
           "0114": (70, 60, 75, 70, None), "0581": (70, 70, 70, 70, 70), "1480": (50, 50, 65, 55, 70)},
}


def store(results: dict) -> None:
    for year, rows in results.items():
        _db.session.add(ResultSet(year=year, imported_at=clock.now(), source="test"))
        for code, values in rows.items():
            measures = dict(zip(["index_value", *[name for name, _label in SUB_INDICES]], values))
            _db.session.add(IndexResult(year=year, municipality_code=code, **{
                name: None if value is None else Decimal(str(value)) for name, value in measures.items()}))
    _db.session.commit()


@pytest.fixture
def ranking(app, make_contact):
    store(RESULTS)
    for code, name in TOWNS.items():
        make_contact(f"rad-{code}@exempel.se", municipality=name, list_keys=("nyhetsbrev",))
        make_contact(f"tjansteperson-{code}@exempel.se", role="municipal_official", municipality=name,
                     list_keys=("nyhetsbrev",))
    make_contact("rad-habo-kurser@exempel.se", municipality="Habo", list_keys=("kurser",))
    make_contact("distrikt@exempel.se", role="district_chair", municipality="Habo", list_keys=("nyhetsbrev",))
    make_contact("rad-ovanaker@exempel.se", municipality="Ovanåker", list_keys=("nyhetsbrev",))  # no results


def towns(rule: ResultRule) -> set[str]:
    return {TOWNS[code] for code in _db.session.scalars(municipality_codes_query(rule))}


def council_members(rule: ResultRule) -> list[str]:
    criteria = Criteria(list_keys=("nyhetsbrev",), roles=("council_member",), result_rule=rule)
    return sorted(member.email for member in resolve(criteria))


@pytest.mark.parametrize("kind, places, expected", [
    (ResultRuleKind.FELL, 2, {"Upplands Väsby", "Göteborg"}),
    (ResultRuleKind.FELL, 3, {"Upplands Väsby"}),
    (ResultRuleKind.ROSE, 3, {"Umeå", "Habo"}),
    (ResultRuleKind.ROSE, 6, set()),
    (ResultRuleKind.TOP, 3, {"Umeå", "Habo", "Stockholm"}),
    (ResultRuleKind.TOP, 4, {"Umeå", "Habo", "Stockholm", "Upplands Väsby", "Norrköping"}),  # shared place 4
    (ResultRuleKind.BOTTOM, 1, {"Göteborg"}),
    (ResultRuleKind.BOTTOM, 2, {"Göteborg", "Upplands Väsby", "Norrköping"}),
    (ResultRuleKind.ABOVE_AVERAGE, None, {"Umeå", "Habo", "Stockholm"}),   # average 71,5
    (ResultRuleKind.BELOW_AVERAGE, None, {"Upplands Väsby", "Norrköping", "Göteborg"}),
])
def test_rank_rules_against_a_hand_made_ranking(ranking, kind, places, expected):
    assert towns(ResultRule(2025, kind, places)) == expected


@pytest.mark.parametrize("sub_index, expected", [
    # Göteborg: information −20 is further below than utförande −13,3; Upplands Väsby has no value for stöd
    # och utveckling; Norrköping is at the average in information and biståndshandläggning and the tie goes to
    # the first in the index's order.
    ("information", {"Upplands Väsby", "Norrköping", "Göteborg"}),
    ("bistandshandlaggning", {"Habo"}),          # −5 against +10, +11,7 and +1
    ("utforande", {"Stockholm"}),                # 60 against the average 68,333…
    ("stod_och_utveckling", {"Umeå"}),           # 65 against 69, every other area above its average
])
def test_weakest_area_follows_the_talking_points_rule(ranking, sub_index, expected):
    assert towns(ResultRule(2025, ResultRuleKind.WEAKEST, sub_index=sub_index)) == expected


def test_the_rule_applies_to_the_same_affiliation_as_the_role(ranking):
    rule = ResultRule(2025, ResultRuleKind.FELL, 2)
    assert council_members(rule) == ["rad-0114@exempel.se", "rad-1480@exempel.se"]
    officials = Criteria(list_keys=("nyhetsbrev",), roles=("municipal_official",), result_rule=rule)
    assert sorted(m.email for m in resolve(officials)) == ["tjansteperson-0114@exempel.se",
                                                          "tjansteperson-1480@exempel.se"]
    # The list still applies: the Habo member on "kurser" only is not reached through "nyhetsbrev".
    assert "rad-habo-kurser@exempel.se" not in council_members(ResultRule(2025, ResultRuleKind.ROSE, 3))


def test_rules_need_what_they_are_about():
    with pytest.raises(ResultRuleError, match="antal platser"):
        ResultRule(2025, ResultRuleKind.FELL)
    with pytest.raises(ResultRuleError, match="delindex"):
        ResultRule(2025, ResultRuleKind.WEAKEST, sub_index="okänt")
    assert ResultRule(2025, ResultRuleKind.FELL, 20).describe() == \
        "kommunen har tappat minst 20 platser i Hemtjänstindex 2025"


def test_sql_matches_the_ranking_module_on_290_municipalities(app, db):
    from hti_comms.results.services import load_demo_results

    years = load_demo_results()
    year = max(years)
    ranking = compute_ranking(year)
    entries = ranking.entries

    def expected(kind: ResultRuleKind, places: int | None = None) -> set[str]:
        if kind is ResultRuleKind.FELL:
            return {e.municipality_code for e in entries if e.rank_change is not None and -e.rank_change >= places}
        if kind is ResultRuleKind.ROSE:
            return {e.municipality_code for e in entries if e.rank_change is not None and e.rank_change >= places}
        if kind is ResultRuleKind.TOP:
            return {e.municipality_code for e in entries if e.rank <= places}
        if kind is ResultRuleKind.BOTTOM:
            worse = {e.municipality_code: sum(1 for o in entries if o.index < e.index) for e in entries}
            return {code for code, below in worse.items() if below + 1 <= places}
        if kind is ResultRuleKind.ABOVE_AVERAGE:
            return {e.municipality_code for e in entries if e.index > ranking.national_average}
        return {e.municipality_code for e in entries if e.index < ranking.national_average}

    cases = [(ResultRuleKind.FELL, 20), (ResultRuleKind.ROSE, 15), (ResultRuleKind.TOP, 25),
             (ResultRuleKind.BOTTOM, 30), (ResultRuleKind.ABOVE_AVERAGE, None), (ResultRuleKind.BELOW_AVERAGE, None)]
    for kind, places in cases:
        found = set(db.session.scalars(municipality_codes_query(ResultRule(year, kind, places))))
        assert found == expected(kind, places), kind
        assert found, kind  # the demo data reaches every rule: an empty answer would prove nothing

    averages = {name: mean(e.values[name] for e in entries) for name, _label in SUB_INDICES}
    for name, _label in SUB_INDICES:
        weakest = set()
        for entry in entries:
            present = [(other, entry.values[other] - averages[other]) for other, _l in SUB_INDICES
                       if entry.values[other] is not None]
            if present and min(present, key=lambda pair: pair[1])[0] == name:
                weakest.add(entry.municipality_code)
        found = set(db.session.scalars(municipality_codes_query(ResultRule(year, ResultRuleKind.WEAKEST,
                                                                           sub_index=name))))
        assert found == weakest, name


def test_staff_save_an_audience_with_a_result_rule(ranking, staff_login):
    url = "/admin/kontakter/malgrupper/ny"
    data = {"csrf_token": form_csrf_token(staff_login, url), "name": "Råd i kommuner som tappat", "lists": "nyhetsbrev",
            "roles": "council_member", "result_kind": "fell", "result_year": "2025", "result_places": "2"}
    response = staff_login.post(url, data=data)
    assert response.status_code == 302
    audience = _db.session.query(Audience).one()
    assert audience.result_rule == {"year": 2025, "kind": "fell", "places": 2, "sub_index": None}
    assert sorted(m.email for m in resolve(Criteria.of(audience))) == ["rad-0114@exempel.se", "rad-1480@exempel.se"]
    page = staff_login.get(response.location).get_data(as_text=True)
    assert "2 mottagare just nu" in page and 'value="2"' in page
    size = staff_login.get("/admin/kontakter/malgrupper/storlek?lists=nyhetsbrev&result_kind=top&result_year=2025"
                           "&result_places=3").get_json()
    assert size["count"] == 6  # council members and officials of Umeå, Habo and Stockholm
    bad = staff_login.get("/admin/kontakter/malgrupper/storlek?lists=nyhetsbrev&result_kind=fell&result_year=2025"
                          ).get_json()
    assert bad["count"] is None and "antal platser" in bad["text"]
    data.update(name="Utan antal", result_places="")
    response = staff_login.post(url, data=data)
    assert response.status_code == 200 and "Resultat: Skriv ett antal platser" in response.get_data(as_text=True)
    assert _db.session.query(Audience).count() == 1


def test_form_reads_no_rule_when_none_is_chosen():
    from werkzeug.datastructures import MultiDict

    assert Criteria.from_multidict(MultiDict({"lists": "nyhetsbrev"})).result_rule is None
    with pytest.raises(AudienceError, match="år"):
        Criteria.from_multidict(MultiDict({"result_kind": "top", "result_places": "3"}))
