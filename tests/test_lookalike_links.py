"""The 14 lookalike-link attempts of the attack (issue 17), each flagged, and no false alarms on real hosts.

Every attempt is written the way staff write a newsletter section (Markdown, rendered by the real renderer,
so a bare address is a link too) and checked with the app's settings: ORGANISATION_DOMAINS by default, and
the hosts of what went out before. Before the fix only the first three (one-letter edits) were caught.
"""
from __future__ import annotations

from datetime import timedelta

import idna
import pytest

from hti_comms import clock
from hti_comms.config import ConfigError, build_config
from hti_comms.extensions import db
from hti_comms.linkcheck import check_links, lookalike_findings
from hti_comms.markdown import Link, render_markdown

CYRILLIC_A = "\u0430"  # а, looks like a
CYRILLIC_I = "\u0456"  # і, looks like i

ATTEMPTS = [
    # (what the attack tried, the Markdown, words the finding must hold)
    ("one letter changed", "[Anmälan till grundkursen](https://spfseniorerma.se/kurs)", "spfseniorerma.se"),
    ("one letter removed", "[Anmälan till grundkursen](https://spfsenioerna.se/kurs)", "spfsenioerna.se"),
    ("one letter removed, other domain", "[Hela rapporten](https://hemtjanstindx.se/rapport)", "hemtjanstindx.se"),
    ("rn written as m", "[Anmälan till grundkursen](https://spfseniorema.se/kurs)", "spfseniorema.se"),
    ("another top-level domain, .nu", "[Anmälan till grundkursen](https://spfseniorerna.nu/kurs)",
     "spfseniorerna.nu"),
    ("another top-level domain, .com", "[Hela rapporten](https://hemtjanstindex.com/rapport)", "hemtjanstindex.com"),
    ("a Cyrillic а", f"[Anmälan till grundkursen](https://spfseniorern{CYRILLIC_A}.se/kurs)",
     f"spfseniorern{CYRILLIC_A}.se"),
    ("the same in punycode", "[Anmälan till grundkursen](https://"
     + idna.encode(f"spfseniorern{CYRILLIC_A}.se").decode() + "/kurs)", idna.encode(f"spfseniorern{CYRILLIC_A}.se")
     .decode()),
    ("a Cyrillic і", f"[Anmälan till grundkursen](https://spfsen{CYRILLIC_I}orerna.se/kurs)",
     f"spfsen{CYRILLIC_I}orerna.se"),
    ("a user name before the host", "[Anmälan till grundkursen](https://spfseniorerna.se@evil.example/kurs)",
     "evil.example"),
    ("link text showing another address", "[https://spfseniorerna.se/anmalan](https://evil.example/anmalan)",
     "evil.example"),
    ("the whole domain in front of another", "[Anmälan till grundkursen](https://spfseniorerna.se.evil.example/)",
     "spfseniorerna.se.evil.example"),
    ("the circular's typo, alone in the message",
     "[Anmälan till webbinariet](https://spfsejiorerna-se.zoom.us/j/81234567890)", "spfsejiorerna-se.zoom.us"),
    ("the circular's typo as a bare address on its own line",
     "Länk till anmälan\nhttps://spfsejiorerna-se.zoom.us/j/81234567890", "spfsejiorerna-se.zoom.us"),
]


def findings_in(markdown: str):
    links = [("Avsnitt 1", link) for link in render_markdown(markdown).links]
    return check_links(links)


@pytest.mark.parametrize("what, markdown, words", ATTEMPTS, ids=[a[0] for a in ATTEMPTS])
def test_every_attempt_of_the_attack_is_an_error(app, what, markdown, words):
    errors = [f for f in findings_in(markdown) if f.is_error]
    assert errors, f"{what} passed the check"
    assert any(words in f.message and f.field == "Avsnitt 1" for f in errors), [f.message for f in errors]


def test_the_table_holds_fourteen_attempts():
    assert len(ATTEMPTS) == 14


@pytest.mark.parametrize("markdown, twin", [
    (f"[Anmälan](https://spfseniorern{CYRILLIC_A}.se/kurs)", "spfseniorerna.se"),
    ("[Anmälan](https://spfseniorema.se/kurs)", "spfseniorerna.se"),
    ("[Anmälan](https://spfsejiorerna-se.zoom.us/j/1)", "spfseniorerna-se.zoom.us"),
    ("[Rapporten](https://hemtjanstindex.com/rapport)", "hemtjanstindex.se"),
])
def test_the_message_names_the_domain_it_passes_for(app, markdown, twin):
    [finding] = [f for f in findings_in(markdown) if f.is_error and "Adressen" in f.message and "blandar" not in
                 f.message]
    assert f"kontrollera om det ska vara {twin}" in finding.message


def test_a_confusable_host_is_shown_as_read_and_as_written(app):
    host = f"spfseniorern{CYRILLIC_A}.se"
    messages = [f.message for f in findings_in(f"[Anmälan](https://{host}/kurs)") if f.is_error]
    assert any("ser ut som ”spfseniorerna.se”" in m and idna.encode(host).decode() in m for m in messages)
    assert any("blandar bokstäver från olika alfabet" in m for m in messages)


LEGITIMATE = [
    "https://spfseniorerna.se/", "https://www.spfseniorerna.se/hemtjanstindex", "https://forbund.spfseniorerna.se/",
    "https://hemtjanstindex.se/", "https://www.hemtjanstindex.se/resultat", "https://spfseniorerna-se.zoom.us/j/1",
    "https://spfseniorerna.zoom.us/j/2", "https://zoom.us/j/3", "https://us02web.zoom.us/j/4",
    "https://us06web.zoom.us/webinar/register/5", "https://teams.microsoft.com/l/meetup-join/6",
    "https://www.facebook.com/spfseniorerna", "https://www.youtube.com/watch?v=abc", "https://youtu.be/abc",
    "https://www.linkedin.com/company/spf-seniorerna", "https://www.instagram.com/spfseniorerna/",
    "https://forms.office.com/r/abc", "https://docs.google.com/forms/d/abc", "https://www.scb.se/",
    "https://skr.se/", "https://www.kolada.se/", "https://www.socialstyrelsen.se/", "https://www.1177.se/",
    "https://www.regeringen.se/", "https://www.svt.se/", "https://sverigesradio.se/", "https://www.dn.se/",
    "https://start.stockholm/", "https://stockholm.se/", "https://goteborg.se/", "https://malmo.se/",
    "https://lund.se/", "https://www.boras.se/", "https://www.vasteras.se/", "https://www.habo.se/",
    "https://www.håbo.se/", "https://www.tranås.se/", "https://www.are.se/", "https://seniorerna.se/",
    "https://www.pensionarsmyndigheten.se/", "https://www.spf.se/", "https://exämpel.se/",
]


def test_no_false_alarm_on_the_organisations_hosts_and_common_ones(app):
    links = [(f"Länk {i}", Link(url, "Sidan om hemtjänsten")) for i, url in enumerate(LEGITIMATE, 1)]
    assert [f.message for f in check_links(links) if f.is_error] == []


@pytest.mark.parametrize("markdown", [
    "Läs mer på www.spfseniorerna.se eller [spfseniorerna.se](https://www.spfseniorerna.se/hti).",
    "[www.hemtjanstindex.se/resultat](https://hemtjanstindex.se/resultat/2025)",
    "Anmälan: https://spfseniorerna-se.zoom.us/j/81234567890 (öppnas i Zoom).",
    "[Resultatet för 2025 års index](https://hemtjanstindex.se/resultat/2025)",
])
def test_text_showing_the_address_the_link_goes_to_is_fine(app, markdown):
    assert [f.message for f in findings_in(markdown) if f.is_error] == []


def test_a_host_used_before_makes_its_typo_an_error_alone(app):
    history = ("kommunforbundet.example.org",)
    [finding] = lookalike_findings([("Länk", Link("https://kommunforbundett.example.org/", "Förbundet"))],
                                   history=history)
    assert "liknar ”kommunforbundet.example.org” (en adress i ett tidigare utskick eller evenemang)" in \
        finding.message
    # The host itself, and another digit in a host used before (Zoom's us02web/us06web), are no finding.
    assert lookalike_findings([("Länk", Link("https://kommunforbundet.example.org/", "Förbundet"))],
                              history=history) == []
    assert lookalike_findings([("Länk", Link("https://us06web.zoom.us/j/1", "Mötet"))],
                              history=("us02web.zoom.us",)) == []


def test_a_typo_sent_before_is_still_an_error(app):
    # A typo that once went out does not become a known address: the organisation's domains come first.
    [finding] = lookalike_findings([("Länk", Link("https://spfsejiorerna-se.zoom.us/j/1", "Anmälan"))],
                                   history=("spfsejiorerna-se.zoom.us",))
    assert "spfseniorerna-se.zoom.us" in finding.message


def test_links_of_past_events_are_compared_with(app):
    from tests.events.helpers import make_event

    clock.set_now(clock.now().replace(year=2025, month=10, day=1))
    make_event(registration="external", join_url="", registration_url="https://kurser.seniorforbundet.example/anmalan")
    link = [("Länk", Link("https://kurser.seniorforbundett.example/anmalan", "Anmälan"))]
    assert lookalike_findings(link) == []           # the course has not taken place yet
    clock.set_now(clock.now() + timedelta(days=60))
    [finding] = lookalike_findings(link)
    assert "seniorforbundet.example" in finding.message and "tidigare utskick eller evenemang" in finding.message


def test_links_of_sent_newsletters_are_compared_with(app):
    from hti_comms.newsletters.models import SentLink
    from tests.newsletters.helpers import make_newsletter

    newsletter = make_newsletter()
    db.session.add(SentLink(newsletter_id=newsletter.id, position=0, url="https://rapporter.seniorforbundet.example/a"))
    db.session.commit()
    [finding] = lookalike_findings([("Länk", Link("https://rapporter.seniorforbundett.example/a", "Rapporten"))])
    assert "rapporter.seniorforbundet.example" in finding.message


def test_organisation_domains_are_a_validated_setting():
    assert build_config({"HTI_ENV": "test"})["ORGANISATION_DOMAINS"] == [
        "spfseniorerna.se", "hemtjanstindex.se", "spfseniorerna-se.zoom.us"]
    assert build_config({"HTI_ENV": "test", "ORGANISATION_DOMAINS": " Example.org, exämpel.se ,"})[
        "ORGANISATION_DOMAINS"] == ["example.org", "xn--exmpel-cua.se"]
    for bad in ("https://spfseniorerna.se", "spfseniorerna", "spf seniorerna.se", "a@b.se"):
        with pytest.raises(ConfigError, match="ORGANISATION_DOMAINS holds"):
            build_config({"HTI_ENV": "test", "ORGANISATION_DOMAINS": bad})
