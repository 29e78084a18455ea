"""The exact command forms: create (id last), check (non-zero on error), send now or --at, status."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from hti_comms import clock
from hti_comms.delivery.worker import deliver_due
from hti_comms.newsletters.models import Newsletter, NewsletterStatus
from hti_comms.subscribers.audiences import save_audience, Criteria

MARKDOWN = """Hej alla i råden!

## Ny nationell rapport

Socialstyrelsen har publicerat en rapport om **kontinuitet**.

[Läs sammanfattningen av rapporten](https://spfseniorerna.se/rapport)

## Förbeställ rapportpaketet

Beställ före oktober. Se [villkoren för rapportpaketet](https://hemtjanstindex.se/villkor).
"""


def last_number(output: str) -> int:
    return int(re.findall(r"\d+", output.strip().splitlines()[-1])[-1])


def test_create_check_send_and_status(app, db, runner, make_contact, mail_sink, tmp_path):
    make_contact("rad@exempel.se", role="council_member:pensionarsrad", municipality="Habo")
    make_contact("annan@exempel.se", role="municipal_official", municipality="Habo")
    save_audience(None, "Råden", "", Criteria(list_keys=("nyhetsbrev",), roles=("council_member",)))
    source = tmp_path / "brev.md"
    source.write_text(MARKDOWN, encoding="utf-8")

    result = runner.invoke(args=["hti", "newsletter", "create", "--subject", "Ny rapport", "--markdown", str(source),
                                 "--audience", "Råden", "--audience", "nyhetsbrev"])
    assert result.exit_code == 0, result.output
    newsletter_id = last_number(result.output)
    newsletter = db.session.get(Newsletter, newsletter_id)
    assert [s.title for s in newsletter.sections] == ["Ny nationell rapport", "Förbeställ rapportpaketet"]
    assert newsletter.intro == "Hej alla i råden!"
    assert newsletter.sections[0].link_url == "https://spfseniorerna.se/rapport"
    assert newsletter.sections[0].link_text == "Läs sammanfattningen av rapporten"
    assert "1 mottagare just nu" in result.output

    check = runner.invoke(args=["hti", "newsletter", "check", str(newsletter_id)])
    assert check.exit_code == 0, check.output
    assert check.output.strip().endswith("0 fel, 0 varningar, 1 mottagare just nu.")

    status = runner.invoke(args=["hti", "newsletter", "status", str(newsletter_id)])
    assert "Status: Utkast" in status.output and "Mottagare just nu: 1" in status.output

    send = runner.invoke(args=["hti", "newsletter", "send", str(newsletter_id)])
    assert send.exit_code == 0, send.output
    assert "skickas nu till 1 mottagare" in send.output
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["To"].endswith("<rad@exempel.se>")
    status = runner.invoke(args=["hti", "newsletter", "status", str(newsletter_id)])
    assert "levererade 1, misslyckade 0, okänt 0" in status.output
    assert "Klick 0: Läs sammanfattningen av rapporten (https://spfseniorerna.se/rapport)" in status.output


def test_check_prints_every_finding_and_fails_on_an_error(app, runner, make_contact, tmp_path):
    make_contact("rad@exempel.se")
    source = tmp_path / "brev.md"
    source.write_text("## Kurs\n\nAnmäl dig [här](https://spfsenoirerna.se/kurs) eller "
                      "[på kurssidan](http://www.socialstyrelsen.se/kurs).\n", encoding="utf-8")
    created = runner.invoke(args=["hti", "newsletter", "create", "--subject", "Kurs", "--markdown", str(source)])
    newsletter_id = last_number(created.output)
    check = runner.invoke(args=["hti", "newsletter", "check", str(newsletter_id)])
    assert check.exit_code == 1
    assert "Fel: Avsnitt 1 ”Kurs”: Adressen ”spfsenoirerna.se” liknar ”spfseniorerna.se”" in check.output
    assert "Varning: Avsnitt 1 ”Kurs”: Länktexten ”här” säger inte vart länken leder" in check.output
    assert "Varning: Avsnitt 1 ”Kurs”: Länken ”http://www.socialstyrelsen.se/kurs” använder http" in check.output
    send = runner.invoke(args=["hti", "newsletter", "send", str(newsletter_id)])
    assert send.exit_code == 1 and "1 fel" in send.output


def test_send_at_a_stockholm_time_schedules_and_warnings_need_accepting(app, db, runner, make_contact, tmp_path):
    clock.set_now(datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc))
    make_contact("rad@exempel.se")
    source = tmp_path / "brev.md"
    source.write_text("## Kurs\n\nSe [kurssidan](http://www.socialstyrelsen.se/kurs).\n", encoding="utf-8")
    newsletter_id = last_number(runner.invoke(args=["hti", "newsletter", "create", "--subject", "Kurs",
                                                    "--markdown", str(source)]).output)
    refused = runner.invoke(args=["hti", "newsletter", "send", str(newsletter_id), "--at", "2026-12-01 09:00"])
    assert refused.exit_code == 1 and "--accept-warnings" in refused.output
    sent = runner.invoke(args=["hti", "newsletter", "send", str(newsletter_id), "--at", "2026-12-01 09:00",
                               "--accept-warnings"])
    assert sent.exit_code == 0, sent.output
    assert "skickas tisdag 1 december 2026 kl. 09.00" in sent.output
    newsletter = db.session.get(Newsletter, newsletter_id)
    assert newsletter.status is NewsletterStatus.SCHEDULED
    assert clock.as_utc(newsletter.scheduled_at) == datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    bad = runner.invoke(args=["hti", "newsletter", "send", str(newsletter_id), "--at", "1 december"])
    assert bad.exit_code == 2 and "2026-12-01 09:00" in bad.output


def test_unknown_audience_and_newsletter_are_named(app, runner, lists, tmp_path):
    source = tmp_path / "brev.md"
    source.write_text("## Rubrik\n\nText.\n", encoding="utf-8")
    result = runner.invoke(args=["hti", "newsletter", "create", "--subject", "S", "--markdown", str(source),
                                 "--audience", "Finns inte"])
    assert result.exit_code == 1 and "”Finns inte”" in result.output
    assert "inget nyhetsbrev med id 999" in runner.invoke(args=["hti", "newsletter", "status", "999"]).output
