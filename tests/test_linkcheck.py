"""Pre-send link checks: lookalike hosts, form, https and descriptive link text."""
from __future__ import annotations

import pytest

from hti_comms.checks import Level, has_errors
from hti_comms.linkcheck import check_link, check_links, lookalike_findings, lookalike_of
from hti_comms.markdown import Link

KNOWN = ("spfseniorerna.se", "hemtjanstindex.se", "spfseniorerna-se.zoom.us")


def findings_for(*urls, known=KNOWN, history=()):
    return lookalike_findings([(f"Länk {i + 1}", Link(url, "Anmälan till grundkursen")) for i, url in enumerate(urls)],
                              known, history)


@pytest.mark.parametrize("host", [
    "spfseniorerma.se",        # one letter changed
    "spfsenioerrna.se",        # two neighbours swapped
    "spfseniorerrna.se",       # one letter added
    "spfsenirerna.se",         # one letter removed
    "www.spfsenirerna.se",     # ... also under www
    "hemtjanstndex.se",        # the other known domain
    "spfseniorerna.es",        # top-level domain swapped
    "spfsenioerna.zoom.us",    # a typo of the known name inside a vanity subdomain
])
def test_one_edit_from_a_known_domain_is_an_error(host):
    [finding] = findings_for(f"https://{host}/anmalan")
    assert finding.level is Level.ERROR and finding.field == "Länk 1"
    assert host.removeprefix("www.") in finding.message or host in finding.message
    assert "spfseniorerna.se" in finding.message or "hemtjanstindex.se" in finding.message


@pytest.mark.parametrize("host", [
    "spfseniorerna.se", "www.spfseniorerna.se", "hemtjanstindex.se", "forbund.spfseniorerna.se",
    "spfseniorerna-se.zoom.us",                           # the organisation's own video-meeting host
    "spfseniorerna.zoom.us",                              # the right name in a vanity subdomain
    "zoom.us", "teams.microsoft.com", "scb.se", "skr.se", "kolada.se", "socialstyrelsen.se", "regeringen.se",
    "sverigesradio.se", "1177.se", "example.com", "seniorerna.se",
])
def test_known_domains_their_subdomains_and_unrelated_domains_pass(host):
    assert findings_for(f"https://{host}/sida") == []


@pytest.mark.parametrize("good, typo", [
    ("us02web.zoom.us", "us02wbe.zoom.us"),                  # swap in a vanity subdomain
    ("spfseniorerna.zoom.us", "spfseniorrna.zoom.us"),       # deletion in a vanity subdomain
    ("kommunforbundet.example.org", "kommunforbundett.example.org"),  # insertion
    ("webinar.example.org", "webinar.exampel.org"),          # swap in the domain itself
])
def test_a_host_one_edit_from_another_link_in_the_same_message_is_an_error(good, typo):
    findings = findings_for(f"https://{good}/j/1", f"https://{good}/j/2", f"https://{typo}/j/3", known=())
    [finding] = findings
    assert finding.field == "Länk 3"
    assert f"”{typo}” liknar ”{good}”" in finding.message and "samma utskick" in finding.message


def test_the_twin_named_is_the_other_link_even_when_a_known_domain_also_matches():
    # spfsenioerna-se.zoom.us is one edit from the known spfseniorerna.se too; the reader meant the Zoom link.
    findings = findings_for("https://spfseniorerna-se.zoom.us/j/1", "https://spfsenioerna-se.zoom.us/j/2")
    [finding] = findings
    assert "”spfsenioerna-se.zoom.us” liknar ”spfseniorerna-se.zoom.us” (en annan länk" in finding.message


def test_two_unrelated_links_in_one_message_do_not_flag_each_other():
    assert findings_for("https://scb.se/statistik", "https://skr.se/rapport", "https://zoom.us/j/9",
                        "https://kolada.se", known=()) == []


def test_lookalike_is_not_symmetric_with_parents():
    assert not lookalike_of("a.zoom.us", "zoom.us") and not lookalike_of("zoom.us", "a.zoom.us")
    assert lookalike_of("zooom.us", "zoom.us")


def test_vague_link_texts_warn_and_descriptive_ones_do_not():
    for text in ("här", "Klicka här", "läs här", "Läs mer."):
        [finding] = check_link(Link("https://spfseniorerna.se/kurs", text), "Avsnitt 1")
        assert finding.level is Level.WARNING and "säger inte vart länken leder" in finding.message
    assert check_link(Link("https://spfseniorerna.se/kurs", "Anmälan till grundkursen 7 november"), "Avsnitt 1") == []


@pytest.mark.parametrize("url, level, words", [
    ("/kurs", Level.ERROR, "inte en fullständig webbadress"),
    ("spfseniorerna.se/kurs", Level.ERROR, "inte en fullständig webbadress"),
    ("javascript:alert(1)", Level.ERROR, "inte en fullständig webbadress"),
    ("http://spfseniorerna.se/kurs", Level.WARNING, "använder http"),
    ("https://exa mple.se/", Level.ERROR, "ogiltigt värdnamn"),
    ("mailto:", Level.ERROR, "saknar en adress"),
])
def test_malformed_and_insecure_links(url, level, words):
    [finding] = check_link(Link(url, "Anmälan till kursen"), "Avsnitt 2")
    assert finding.level is level and words in finding.message


def test_check_links_combines_both_and_blocks_on_errors():
    links = [("Avsnitt 1", Link("https://spfseniorerna.se/a", "här")),
             ("Avsnitt 2", Link("https://spfsenioerna.se/b", "Anmälan"))]
    findings = check_links(links, KNOWN)
    assert [f.level for f in findings] == [Level.WARNING, Level.ERROR]
    assert has_errors(findings)


def test_known_domains_come_from_the_configuration(app):
    from hti_comms.linkcheck import known_domains

    app.config["ORGANISATION_DOMAINS"] = ["example.org"]
    assert "example.org" in known_domains() and "hti.example.se" in known_domains()  # BASE_URL's host too
    [finding] = lookalike_findings([("Länk", Link("https://exampel.org/", "Sidan"))])
    assert "example.org" in finding.message


@pytest.mark.parametrize("url", ['https://spfseniorerna.se/a" onmouseover="x', "https://spfseniorerna.se/a b",
                                 "https://spfseniorerna.se/<script>"])
def test_spaces_quotes_and_angle_brackets_make_a_link_malformed(url):
    from hti_comms.linkcheck import check_link
    from hti_comms.markdown import Link

    [finding] = check_link(Link(url, "rapporten"), "Länk 1")
    assert finding.is_error and "mellanslag, citattecken" in finding.message
