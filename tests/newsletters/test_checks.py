"""Pre-send checks: links (lookalikes, http, vague text), images, subject, unsubscribe link, numbering,
the embargo hook, and warnings that need a confirmation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from jinja2 import ChoiceLoader, DictLoader

from hti_comms import clock
from hti_comms.checks import Finding, error
from hti_comms.domain import registry
from hti_comms.newsletters import checks as checks_module
from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.models import Newsletter, NewsletterKind, NewsletterStatus
from hti_comms.newsletters.sending import schedule, start
from hti_comms.newsletters.services import NewsletterError, NewsletterFields, SectionFields, set_section_image, \
    update_newsletter, update_section

from .helpers import GOOD_SECTIONS, make_newsletter, png_bytes


@pytest.fixture
def reader(make_contact):
    return make_contact("lasare@exempel.se")


def messages(findings: list[Finding], errors: bool = True) -> list[str]:
    return [f"{f.field}: {f.message}" for f in findings if f.is_error is errors]


def with_link(url: str, text: str = "rapporten om hemtjänsten") -> list[SectionFields]:
    return [*GOOD_SECTIONS, SectionFields(title="Länkar", body=f"Läs [{text}]({url}).")]


def test_a_good_newsletter_has_no_findings(app, reader):
    assert check_newsletter(make_newsletter()) == []


@pytest.mark.parametrize("host", [
    "spfsenoirerna.se",     # two letters swapped
    "spfsenlorerna.se",     # one letter changed (i → l)
    "spfseniorerrna.se",    # one letter added
    "spfseniorrna.se",      # one letter removed
    "www.hemtjanstindx.se",  # a subdomain of a lookalike of the other known domain
])
def test_a_link_one_edit_from_a_configured_domain_is_an_error_naming_both(app, reader, host):
    findings = check_newsletter(make_newsletter(sections=with_link(f"https://{host}/anmalan")))
    [problem] = [f for f in findings if f.is_error]
    assert host in problem.message and ("spfseniorerna.se" in problem.message or "hemtjanstindex.se" in problem.message)
    assert problem.field == "Avsnitt 3 ”Länkar”"


def test_a_typo_inside_a_vanity_subdomain_of_another_link_is_an_error(app, reader):
    sections = [SectionFields(title="Grundkurs", body="[Anmäl dig till grundkursen](https://spfseniorerna.zoom.us/j/1)"
                                                       " eller [se inspelningen](https://spfseniorerna.zoom.us/rec/2)."),
                SectionFields(title="Webbinarium", body="[Anmäl dig till webbinariet](https://spfsenioerna.zoom.us/j/3).")]
    [problem] = [f for f in check_newsletter(make_newsletter(sections=sections)) if f.is_error]
    assert "spfsenioerna.zoom.us" in problem.message and "spfseniorerna.zoom.us" in problem.message
    assert problem.field == "Avsnitt 2 ”Webbinarium”"


def test_the_circulars_typo_written_as_a_bare_address_alone_is_an_error(app, reader):
    # The real circular: "Länk till anmälan" and the address on a line of its own, with no correct twin.
    sections = [*GOOD_SECTIONS, SectionFields(
        title="Webbinarium före publiceringen",
        body="Torsdag 27 november kl. 10–12.\n\nLänk till anmälan\nhttps://spfsejiorerna-se.zoom.us/j/81234567890")]
    [problem] = [f for f in check_newsletter(make_newsletter(sections=sections)) if f.is_error]
    assert "”spfsejiorerna-se.zoom.us” liknar ”spfseniorerna-se.zoom.us”" in problem.message
    assert problem.field == "Avsnitt 3 ”Webbinarium före publiceringen”"


@pytest.mark.parametrize("url", [
    "https://spfseniorerna.se/kurser", "https://www.spfseniorerna.se/", "https://hemtjanstindex.se/resultat",
    "https://kurser.hemtjanstindex.se/", "https://www.socialstyrelsen.se/statistik", "https://skr.se/",
    "https://scb.se/", "https://zoom.us/j/123", "https://www.facebook.com/spfseniorerna",
])
def test_configured_domains_their_subdomains_and_unrelated_domains_pass(app, reader, url):
    assert check_newsletter(make_newsletter(sections=with_link(url))) == []


def test_http_and_vague_link_text_are_warnings_and_a_relative_link_is_an_error(app, reader):
    http = check_newsletter(make_newsletter(sections=with_link("http://www.socialstyrelsen.se/rapport")))
    assert messages(http) == [] and "använder http" in messages(http, errors=False)[0]
    vague = check_newsletter(make_newsletter(sections=with_link("https://spfseniorerna.se/a", text="här")))
    assert messages(vague) == [] and "”här” säger inte vart länken leder" in messages(vague, errors=False)[0]
    relative = check_newsletter(make_newsletter(sections=with_link("/bara/en/sökväg")))
    assert "inte en fullständig webbadress" in messages(relative)[0]


def test_images_need_alt_text_and_read_more_links_need_words(app, reader):
    newsletter = make_newsletter()
    set_section_image(newsletter.sections[0], png_bytes(), "bild.png")
    update_section(newsletter.sections[1], SectionFields(title="Förbeställ", body="Text",
                                                         link_url="https://spfseniorerna.se/paket"))
    found = messages(check_newsletter(newsletter))
    assert any(m.startswith("Avsnitt 1 ”Ny nationell rapport”: bild: Bilden saknar alternativtext") for m in found)
    assert any(m.startswith("Avsnitt 2 ”Förbeställ”: Läs mer-länk: Skriv vad läsaren hittar") for m in found)
    # Said once, as the error: not again as a warning that the link has no text.
    assert not [m for m in messages(check_newsletter(newsletter), errors=False) if "har ingen text" in m]


def test_subject_missing_or_too_long_and_no_sections_are_errors(app, reader):
    newsletter = make_newsletter(subject="", sections=[])
    found = messages(check_newsletter(newsletter))
    assert "Ämnesrad: Ämnesraden saknas. Skriv vad brevet handlar om." in found
    assert "Avsnitt: Brevet har inga avsnitt. Lägg till minst ett." in found
    update_newsletter(newsletter, NewsletterFields(subject="Ett mycket långt ämne " * 6))
    assert any("Ämnesraden har 131 tecken" in m for m in messages(check_newsletter(newsletter)))


def test_nobody_to_send_to_is_an_error(app, lists):
    assert "Mottagare: Ingen får brevet" in messages(check_newsletter(make_newsletter()))[0]


def test_a_missing_unsubscribe_link_is_an_error(app, reader, monkeypatch):
    app.jinja_loader  # the real loader stays behind the test template
    app.jinja_env.loader = ChoiceLoader([DictLoader({
        "emails/test/bare.html": "<html><body><h1>{{ title }}</h1></body></html>",
        "emails/test/bare.txt": "{{ title }}\n{{ recipient.unsubscribe_url }}",
    }), app.jinja_env.loader])
    monkeypatch.setattr(checks_module, "template_name", lambda newsletter: "test/bare")
    assert messages(check_newsletter(make_newsletter())) == ["Sidfot: Avregistreringslänken saknas i HTML-delen."]


def test_circular_letter_parts_are_checked(app, reader):
    circular = make_newsletter(kind=NewsletterKind.CIRCULAR, addressee="")
    found = messages(check_newsletter(circular))
    assert "Till: Skriv vilka cirkuläret vänder sig till (raden ”Till …”)." in found
    assert "Underskrift: Skriv namnet på den som skriver under." in found
    update_newsletter(circular, NewsletterFields(addressee="Till alla ordföranden", signature_name="Eva Exempel"))
    assert messages(check_newsletter(circular)) == []
    assert messages(check_newsletter(circular), errors=False) == [
        "Underskrift: Underskriften saknar titel (till exempel ”projektledare”)."]


def test_numbers_follow_the_last_one_sent(app, reader):
    first = make_newsletter(number=13)
    schedule(first, None, [])
    start(first.id)
    second = make_newsletter()
    assert second.number == 14 and check_newsletter(second) == []
    update_newsletter(second, NewsletterFields(number=13))
    assert messages(check_newsletter(second)) == [
        "Nummer: Nummer 13 används redan av ett annat nyhetsbrev som är schemalagt eller skickat."]
    update_newsletter(second, NewsletterFields(number=16))
    assert messages(check_newsletter(second), errors=False) == [
        "Nummer: Det senast skickade nyhetsbrevet var #13; det här har #16, inte #14."]


def test_warnings_need_confirmation_and_a_new_warning_at_the_start_stops_the_send(app, db, reader):
    newsletter = make_newsletter(sections=with_link("http://www.socialstyrelsen.se/rapport"))
    later = clock.now() + timedelta(hours=1)
    with pytest.raises(NewsletterError, match="0 fel och 1 obekräftad varning"):
        schedule(newsletter, later, [])
    findings = check_newsletter(newsletter, later)
    schedule(newsletter, later, [f.message for f in findings])
    assert newsletter.status is NewsletterStatus.SCHEDULED
    # An edit that adds a new warning takes it out of the schedule, with a note saying so.
    note = update_section(newsletter.sections[0], SectionFields(title="Ny rapport", body="[här](https://skr.se/)"))
    assert "inte längre schemalagt" in note and newsletter.status is NewsletterStatus.DRAFT


def test_the_embargo_hook_is_asked_on_check_and_again_when_the_send_starts(app, db, reader, staff_login):
    calls = []

    def embargo(content):
        calls.append(content)
        if "Habo" in content.text and content.send_at < publication:
            return [error("Innehåll", "Habos resultat är under embargo till publiceringen.")]
        return []

    publication = clock.now() + timedelta(days=2)
    registry(app).content_checks.append(embargo)
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    schedule(newsletter, clock.now() + timedelta(days=1), [])
    assert calls[-1].kind == "newsletter" and calls[-1].audience == ("nyhetsbrev",)
    assert "Ny nationell rapport" in calls[-1].text
    # The text changes after scheduling: the edit and the preview ask the hook again.
    note = update_section(newsletter.sections[1], SectionFields(title="Habo", body="Habo fick 71,2 i index."))
    assert "inte längre schemalagt" in note
    preview = staff_login.get(f"/admin/nyhetsbrev/{newsletter_id}/forhandsgranska").get_data(as_text=True)
    assert "Habos resultat är under embargo till publiceringen." in preview
    # At the start the hook decides with the real send time: a day after publication it may go.
    clock.set_now(publication + timedelta(days=1))
    schedule(newsletter, None, [])
    assert start(newsletter_id) is not None
    assert calls[-1].send_at == clock.as_utc(db.session.get(Newsletter, newsletter_id).started_at)


def test_the_embargo_hook_at_the_start_stops_a_send_scheduled_before_the_rule_existed(app, db, reader):
    newsletter = make_newsletter()
    newsletter_id = newsletter.id
    schedule(newsletter, clock.now() + timedelta(minutes=5), [])
    registry(app).content_checks.append(lambda content: [error("Innehåll", "Embargo: publiceras först i december.")])
    clock.set_now(clock.now() + timedelta(minutes=6))
    assert start(newsletter_id) is None
    stopped = db.session.get(Newsletter, newsletter_id)
    assert stopped.status is NewsletterStatus.DRAFT and stopped.send_id is None
    assert "Embargo: publiceras först i december." in stopped.stopped_reason
