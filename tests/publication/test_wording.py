"""What the embargo desk sends and shows reads right (issue 17): the place said once, the change since last year in
the talking points' own words (a change of 0,04 is not "oförändrat", and such a summary is not held back), an
access email that says where its link goes, genitives of names ending in s, and names where staff read codes."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.publication.models import AuditAction, Order, OrderContact
from hti_comms.publication.audit import EMBARGO_KINDS, kind as audit_kind
from hti_comms.stafflog.models import LogEntry as AuditEntry
from hti_comms.publication.links import summary_token
from hti_comms.publication.moments import parse_wall_clock, set_publication
from hti_comms.scheduling.sweeps import run_all_once
from tests.briefs.factories import store_year

from .helpers import PUBLISHED_AT, RELEASE_AT, html_of, staff_order, text_of, to_of

#: Lund 1281, Borås 1490, Västerås 1980, Gotland 0980, Upplands Väsby 0114, Stockholm 0180: last year → this year.
CHANGES = {"1281": ("60.00", "60.04"), "1490": ("70.00", "69.96"), "1980": ("55.00", "55.05"),
           "0980": ("50.00", "50.00"), "0114": ("58.00", "57.95"), "0180": ("57.95", "58.00")}


def _results() -> None:
    clock.set_now(PUBLISHED_AT - timedelta(days=30))
    store_year(2024, {code: before for code, (before, _after) in CHANGES.items()})
    store_year(2025, {code: after for code, (_before, after) in CHANGES.items()})
    set_publication(2025, parse_wall_clock("2025-12-04 07:00"), actor="test")
    db.session.commit()


def _summary_texts(mail_sink) -> dict[str, str]:
    for code in CHANGES:
        staff_order(code, f"kontakt{code}@kommun.example.se")
    deliver_due()  # the order receipts
    mail_sink.clear()
    clock.set_now(RELEASE_AT)
    run_all_once()
    deliver_due()
    return {to_of(m).removeprefix("kontakt").split("@")[0]: text_of(m) + html_of(m)
            for m in mail_sink.wait_for(len(CHANGES))}


def test_a_change_that_rounds_to_zero_is_said_as_such_and_no_summary_is_held_back(app, mail_sink):
    _results()
    texts = _summary_texts(mail_sink)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.kind == audit_kind(AuditAction.SUMMARY_WITHHELD))) is None
    assert sorted(texts) == sorted(CHANGES)
    # +0,04 and −0,04 round to 0,0: "i stort sett oförändrat", never "oförändrat" alone (the figure check refused it).
    assert "Indexet är i stort sett oförändrat sedan 2024, 60,0 då och 60,0 nu." in texts["1281"]
    assert "Indexet är i stort sett oförändrat sedan 2024, 70,0 då och 70,0 nu." in texts["1490"]
    assert "Sedan 2024 har indexet ökat med 0,1 enheter, från 55,0 till 55,1." in texts["1980"]
    # ±0,05 rounds to ±0,1, but where both indices are written "58,0" the sentence must not say "minskat med 0,1
    # enheter, från 58,0 till 58,0": about the same, as written.
    assert "Indexet är i stort sett oförändrat sedan 2024, 58,0 då och 58,0 nu." in texts["0114"]
    assert "Indexet är i stort sett oförändrat sedan 2024, 58,0 då och 58,0 nu." in texts["0180"]
    assert "Indexet är oförändrat sedan 2024, 50,0." in texts["0980"]
    for code, text in texts.items():
        assert "plats plats" not in text and "sedan 2024, samma placering" not in text, code
    assert "Boråss" not in texts["1490"] and "Borås index och delindex" in texts["1490"]
    assert "Västeråss" not in texts["1980"] and "Västerås index och delindex" in texts["1980"]
    assert "Lunds index och delindex" in texts["1281"]


def test_the_web_version_says_the_place_once(app, client, mail_sink):
    _results()
    _summary_texts(mail_sink)
    contact = db.session.scalar(select(OrderContact).join(Order).where(Order.municipality_code == "1281"))
    page = client.get(f"/sammanfattning/{summary_token(contact.key, 2025, '1281')}").get_data(as_text=True)
    assert "Lund fick plats" in page and "plats plats" not in page
    assert "Indexet är i stort sett oförändrat sedan 2024" in page and "Lunds index och delindex 2025" in page


def test_the_access_email_says_its_link_is_the_public_results_page(app, mail_sink):
    _results()
    staff_order("1490", "kontakt@boras.example.se")
    deliver_due()  # the order receipt
    assert "Vi har tagit emot Borås beställning" in text_of(mail_sink.wait_for(1)[0])
    mail_sink.clear()
    clock.set_now(PUBLISHED_AT)
    run_all_once()
    deliver_due()
    [message] = mail_sink.wait_for(1)
    text, html = text_of(message), html_of(message)
    assert message["Subject"] == "Nu är Hemtjänstindex 2025 publicerat: Borås resultat"
    for part in (text, html):
        assert "analysen av" not in part and "Boråss" not in part
        assert "Borås resultat med de nya siffrorna finns på den öppna resultatsidan, som alla kan se" in part
    assert "/resultat/2025/1490" in text and "Öppna Borås resultatsida" in html


@pytest.mark.parametrize("code, name", [("1281", "Lund"), ("1490", "Borås")])
def test_staff_read_names_not_codes_in_the_log_and_the_outbox(app, staff_login, mail_sink, code, name):
    _results()
    staff_order(code, "kontakt@kommun.example.se")
    clock.set_now(RELEASE_AT)
    run_all_once()
    clock.set_now(PUBLISHED_AT)
    run_all_once()
    log = staff_login.get("/admin/publicering/2025/logg").get_data(as_text=True)
    assert f"<td>{name} ({code})</td>" in log and f"<td>{code}</td>" not in log
    outbox = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert f"Sammanfattning under embargo: {name} 2025" in outbox and f"Tillgångsbrev: {name} 2025" in outbox
    assert f": {code} 2025" not in outbox
    assert db.session.scalar(select(Send.reference).where(Send.kind == "report_access")) == f"report-access:2025:{code}"
    assert db.session.scalar(select(OutboxMessage.email).join(Send).where(Send.kind == "report_access"))
