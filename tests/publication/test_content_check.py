"""Unpublished figures in authored text (issue 17, item 2): the 13 phrasings of the attack, no false alarms,
audiences chosen by unpublished results, and the archive and feed that wait for the publication."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.services import SectionFields
from hti_comms.newsletters.sending import send_now
from hti_comms.publication.moments import parse_wall_clock, set_publication
from hti_comms.release import Content, check_content
from hti_comms.subscribers.audiences import Criteria, save_audience
from hti_comms.results.selection import ResultRule, ResultRuleKind
from tests.briefs.factories import store_year
from tests.newsletters.helpers import GOOD_SECTIONS, make_newsletter

#: Thursday 3 December 2026, 07.00 Stockholm: when 2026 becomes public.
PUBLISHED_2026 = datetime(2026, 12, 3, 6, 0, tzinfo=timezone.utc)
BEFORE = PUBLISHED_2026 - timedelta(days=20)
MOMENT = "torsdag 3 december 2026 kl. 07.00"


@pytest.fixture
def years(app):
    """2025 public (Stockholm 72,5, place 4); 2026 not yet public (Stockholm 97,9, place 3).

    2026: Lund 99,1, Malmö 98,5, Stockholm 97,9 (information 88,4), Göteborg 81,2, Borås 75,0,
    Gotland 70,1, Upplands Väsby 65,4, Västerås 60,3; average of all 80,9; Skåne 98,8; Stockholms län 81,7.
    """
    clock.set_now(datetime(2025, 11, 1, 9, 0, tzinfo=timezone.utc))
    store_year(2025, {"1281": "90.0", "1280": "88.0", "1480": "80.0", "0180": "72.5", "1490": "71.0",
                      "0980": "69.0", "0114": "66.0", "1980": "61.0"})
    set_publication(2025, parse_wall_clock("2025-12-04 07:00"), actor="test")
    clock.set_now(BEFORE)
    store_year(2026, {"1281": "99.1", "1280": "98.5", "0180": ["97.9", "88.4", "91.2", "95.0", "93.3"],
                      "1480": "81.2", "1490": "75.0", "0980": "70.1", "0114": "65.4", "1980": "60.3"})
    set_publication(2026, parse_wall_clock("2026-12-03 07:00"), actor="test")
    db.session.commit()


def errors(text: str, at: datetime = BEFORE) -> list[str]:
    return [f.message for f in check_content(Content(text=text, send_at=at)) if f.is_error]


PHRASINGS = [
    # Caught before the fix:
    ("Stockholm fick 97,9 i index.", "97,9"),
    ("Stockholm hamnade på plats 3 i år.", "3"),
    ("Stockholm kom på 3:e plats.", "3:e"),
    ("Stockholm: Information 88,4.", "88,4"),
    # Missed before the fix:
    ("Stockholms index är 97,9.", "97,9"),
    ("Genomsnittet för alla kommuner blev 80,9 i år.", "80,9"),
    ("Stockholm fick 97.9 i år.", "97.9"),
    ("Stockholm fick 97,90 i år.", "97,90"),
    ("Stockholm fick 97 komma 9 i år.", "97 komma 9"),
    ("STOCKHOLMS INDEX: 97,9", "97,9"),
    ("Skånes genomsnitt är 98,8 i år.", "98,8"),
    ("Stockholm hamnade på tredje plats.", "tredje plats"),
    ("Indexet för Malmo blev 98,5.", "98,5"),
]


@pytest.mark.parametrize("text, written", PHRASINGS, ids=[p[0] for p in PHRASINGS])
def test_every_phrasing_of_the_attack_is_refused_until_the_publication(years, text, written):
    [message] = errors(text)
    assert f"”{written}”" in message and "Hemtjänstindex 2026" in message and MOMENT in message
    assert errors(text, at=PUBLISHED_2026) == []


def test_the_table_holds_thirteen_phrasings():
    assert len(PHRASINGS) == 13


@pytest.mark.parametrize("text, place, what", [
    ("Borås index blev 75,0.", "Borås", "kommunens index"),
    ("Västerås fick 60.3.", "Västerås", "kommunens index"),
    ("Gotlands index är 70,1.", "Gotland", "kommunens index"),
    ("I år ligger Stockholm på nittiosju komma nio.", "Stockholm", "kommunens index"),
    ("Göteborg slutade på fjärde plats.", "Göteborg", "kommunens plats i rankningen"),
    ("Göteborgs stad blev fyra: plats 4 av 290.", "Göteborg", "kommunens plats i rankningen"),
    ("Stockholm blev trea i Hemtjänstindex.", "Stockholm", "kommunens plats i rankningen"),
    ("Stockholm har klättrat en placering sedan förra året.", None, None),   # "en" is no figure on its own
    ("Upplands-Bro och Upplands Väsby: Väsby fick 65,4.", "Upplands Väsby", "kommunens index"),
    ("Stockholm ligger på index 98.", "Stockholm", "kommunens index"),
])
def test_more_ways_of_naming_the_place_and_writing_the_figure(years, text, place, what):
    found = errors(text)
    if place is None:
        assert found == []
    else:
        assert found and all(f"resultat för {place} i Hemtjänstindex 2026" in m and what in m for m in found)


@pytest.mark.parametrize("text", [
    "Stockholm fick 72,5 i index 2025 och hamnade på plats 4.",             # a published year's figures
    "Grundkursen för Stockholm är torsdag 3 december 2026 kl. 10.00–11.30, den 3:e december.",  # a date
    "Frågor om platserna i Stockholm? Ring 08-701 30 03 eller 070-397 97 90.",  # phone numbers
    "Ett index på 97,9 vore mycket högt.",                                     # a bare number, no place
    "Hemtjänstindex nyhetsbrev #3: nytt från Stockholm.",                      # the newsletter's own number
    "Stockholm har 99,1 procent nöjda brukare enligt en annan undersökning.",  # another place's figure
    "Det kan vara 98,5 procent, säger Lunds kommun om något annat.",          # 'vara' is no place here
    "Stockholm: Läs mer på https://hemtjanstindex.se/resultat/97,9/3",         # numbers in an address
])
def test_no_false_alarm(years, text):
    assert errors(text) == []


def test_a_newsletter_is_checked_with_every_part_the_reader_reads(years, make_contact):
    make_contact("lasare@exempel.se")
    newsletter = make_newsletter(sections=[*GOOD_SECTIONS, SectionFields(
        title="Stockholm i topp", body="Stockholms index är 97,9, och kommunen hamnade på tredje plats.")])
    messages = [f.message for f in check_newsletter(newsletter, BEFORE) if f.is_error]
    assert len(messages) == 2 and all("Stockholm i Hemtjänstindex 2026" in m for m in messages)
    assert [f for f in check_newsletter(newsletter, PUBLISHED_2026) if f.is_error] == []


def test_the_cli_check_names_the_figure(years, make_contact, runner, tmp_path):
    make_contact("lasare@exempel.se")
    source = tmp_path / "brev.md"
    source.write_text("## Så gick det för Stockholm\n\nStockholms index är 97.9 i år.\n", encoding="utf-8")
    created = runner.invoke(args=["hti", "newsletter", "create", "--subject", "Nytt om indexet",
                                  "--markdown", str(source)])
    newsletter_id = created.output.strip().split()[-1]
    checked = runner.invoke(args=["hti", "newsletter", "check", newsletter_id])
    assert checked.exit_code == 1
    assert "Fel: Text: Texten innehåller ett resultat för Stockholm i Hemtjänstindex 2026" in checked.output


# --- Audiences chosen by results -------------------------------------------------------------------------------

def top_audience(year: int):
    return save_audience(None, f"Topp 3 {year}", "", Criteria(
        list_keys=("nyhetsbrev",), result_rule=ResultRule(year, ResultRuleKind.TOP, 3)))


def test_an_audience_chosen_by_unpublished_results_is_refused_until_the_publication(years, make_contact):
    make_contact("rad@exempel.se", municipality="Lund", list_keys=("nyhetsbrev",))
    audience = top_audience(2026)
    newsletter = make_newsletter(audience_ids=[audience.id])
    [message] = [f.message for f in check_newsletter(newsletter, BEFORE) if f.is_error]
    assert "Målgruppen ”Topp 3 2026” väljer mottagare efter resultaten i Hemtjänstindex 2026" in message
    assert MOMENT in message
    assert [f for f in check_newsletter(newsletter, PUBLISHED_2026) if f.is_error] == []


def test_an_audience_chosen_by_a_published_year_is_fine(years, make_contact):
    make_contact("rad@exempel.se", municipality="Lund", list_keys=("nyhetsbrev",))
    newsletter = make_newsletter(audience_ids=[top_audience(2025).id])
    assert [f for f in check_newsletter(newsletter, BEFORE) if f.is_error] == []


def test_a_send_to_an_unpublished_selection_is_not_started(years, make_contact):
    from hti_comms.newsletters.sending import NewsletterError

    make_contact("rad@exempel.se", municipality="Lund", list_keys=("nyhetsbrev",))
    newsletter = make_newsletter(audience_ids=[top_audience(2026).id])
    with pytest.raises(NewsletterError, match="1 fel"):
        send_now(newsletter.id, [])
    db.session.refresh(newsletter)
    assert newsletter.send_id is None and newsletter.status.value == "draft"


# --- The archive and the feed ----------------------------------------------------------------------------------

def test_a_sent_newsletter_with_unpublished_figures_waits_for_the_publication_in_the_archive(app, client,
                                                                                             make_contact):
    # Sent before the year's results were imported (so the check had nothing to compare with) ...
    clock.set_now(BEFORE - timedelta(days=5))
    make_contact("lasare@exempel.se")
    leaky = make_newsletter(subject="Förhandsuppgifter", sections=[*GOOD_SECTIONS, SectionFields(
        title="Stockholm", body="Vi hör att Stockholms index blir 97,9 i år.")])
    plain = make_newsletter(subject="Kurser i höst", number=2)
    for newsletter in (leaky, plain):
        assert send_now(newsletter.id, []) is not None
    # ... and then the results arrive: the archive, the page, the images and the feed leave it out.
    clock.set_now(BEFORE)
    store_year(2026, {"1281": "99.1", "1280": "98.5", "0180": "97.9", "1480": "81.2"})
    set_publication(2026, parse_wall_clock("2026-12-03 07:00"), actor="test")
    db.session.commit()
    assert client.get(f"/nyhetsbrev/{leaky.id}").status_code == 404
    assert client.get(f"/nyhetsbrev/{plain.id}").status_code == 200
    for path in ("/nyhetsbrev", "/nyhetsbrev/atom.xml"):
        page = client.get(path).get_data(as_text=True)
        assert "Kurser i höst" in page and "Förhandsuppgifter" not in page and "97,9" not in page
    # At the publication it is there, with nothing to run.
    clock.set_now(PUBLISHED_2026)
    assert client.get(f"/nyhetsbrev/{leaky.id}").status_code == 200
    assert "Förhandsuppgifter" in client.get("/nyhetsbrev/atom.xml").get_data(as_text=True)
    assert "Förhandsuppgifter" in client.get("/nyhetsbrev").get_data(as_text=True)


def test_staff_saving_such_an_audience_are_told_it_waits_for_the_publication(years, staff_login, make_contact):
    from tests.helpers import form_csrf_token

    make_contact("rad@exempel.se", municipality="Lund", list_keys=("nyhetsbrev",))

    url = "/admin/kontakter/malgrupper/ny"
    data = {"csrf_token": form_csrf_token(staff_login, url), "name": "Topp 3", "lists": "nyhetsbrev",
            "roles": "council_member",
            "result_kind": "top", "result_year": "2026", "result_places": "3"}
    page = staff_login.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "resultaten i Hemtjänstindex 2026, som inte är publicerade ännu" in page
    data.update(name="Topp 3 förra året", result_year="2025")
    page = staff_login.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "är sparad" in page and "inte är publicerade" not in page
