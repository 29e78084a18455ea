from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.briefs.emails import send_district_digest, send_local_brief
from hti_comms.briefs.services import ReleaseError
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.outbox import Recipient
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.geo.models import District, Municipality
from hti_comms.results.models import ResultSet
from tests.briefs.factories import store_year

PUBLISHED_AT = datetime(2024, 12, 3, 6, 0, tzinfo=timezone.utc)
COUNCIL = [Recipient(email="anna@example.se", name="Anna Råd"), Recipient(email="bo@example.se", name="Bo Råd")]


def published_years():
    """2023 and 2024 with known figures; 2024 published 3 December 07.00 and the clock after it."""
    store_year(2023, {"0114": "60.0", "0115": "70.0", "0117": "65.0", "0305": "55.0"})
    store_year(2024, {"0114": ["72.5", "70.0", "75.0", "71.0", "74.0"], "0115": ["68.0", "66.0", "69.0", "", "70.0"],
                      "0117": "65.0", "0305": "80.0"})
    db.session.get(ResultSet, 2024).published_at = PUBLISHED_AT
    db.session.commit()
    clock.set_now(PUBLISHED_AT + timedelta(hours=1))


def municipality(code: str) -> Municipality:
    return db.session.get(Municipality, code)


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_local_brief_email_has_every_figure_in_the_text_part_and_the_chart_inline(mail_sink):
    published_years()
    send = send_local_brief(municipality("0114"), 2024, COUNCIL)
    assert deliver_due() == 2
    messages = mail_sink.wait_for(2)
    message = next(m for m in messages if m["To"].addresses[0].addr_spec == "anna@example.se")
    assert message["Subject"] == "Upplands Väsby i Hemtjänstindex 2024"
    text, html = parts(message)
    # National average of the index: (72,5 + 68 + 65 + 80) / 4 = 71,375 → 71,4; 72,5 − 71,375 = 1,125 → 1,1.
    # Sub-index averages: information (70+66+65+80)/4 = 70,25; biståndshandläggning (75+69+65+80)/4 = 72,25;
    # utförande (71+65+80)/3 = 72 (Vallentuna has none); stöd (74+70+65+80)/4 = 72,25.
    for figure in ["Upplands Väsby fick 72,5 i Hemtjänstindex 2024, jämfört med genomsnittet 71,4",
                   "1,1 enheter över genomsnittet", "plats 2 av 4",
                   "Sedan 2023 har indexet ökat med 12,5 enheter, från 60,0 till 72,5",
                   "klättrat en placering, från plats 3 av 4 till plats 2 av 4",
                   "- Index: 72,5 / 71,4 / 1,1 enheter över genomsnittet",
                   "- Information: 70,0 / 70,3 / 0,3 enheter under genomsnittet",
                   "- Biståndshandläggning: 75,0 / 72,3 / 2,8 enheter över genomsnittet",
                   "- Utförande: 71,0 / 72,0 / 1,0 enhet under genomsnittet",
                   "- Stöd och utveckling: 74,0 / 72,3 / 1,8 enheter över genomsnittet",
                   "I Stockholms län hamnar Upplands Väsby på plats 1 av 3. Länets genomsnitt är 68,5",
                   "FRÅGOR ATT STÄLLA TILL KOMMUNEN", "Citat till pressen, att använda under ditt eget namn och uppdrag: ”Hemtjänsten i Upplands Väsby får 72,5"]:
        assert figure in text, figure
    assert "https://hti.example.se/avregistrera/" in text  # list mail: the footer has the unsubscribe link
    # The chart is an inline image referenced from the HTML, and the same figures are in a table.
    cid = "delindex-2024-0114@hti"
    assert f'src="cid:{cid}"' in html
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == f"<{cid}>"
    assert images[0].get_content().startswith(b"\x89PNG")
    assert "<td" in html and "72,25" not in html and "72,3" in html
    assert send.reference == "brief:2024:0114"


def test_sending_the_brief_twice_reaches_each_person_once(app):
    published_years()
    send_local_brief(municipality("0114"), 2024, COUNCIL)
    send_local_brief(municipality("0114"), 2024, COUNCIL + [Recipient(email="cia@example.se")])
    assert db.session.scalar(select(Send).where(Send.reference == "brief:2024:0114")) is not None
    emails = sorted(db.session.scalars(select(OutboxMessage.email)))
    assert emails == ["anna@example.se", "bo@example.se", "cia@example.se"]


def test_brief_before_publication_only_under_embargo(mail_sink):
    published_years()
    clock.set_now(PUBLISHED_AT - timedelta(hours=24))
    with pytest.raises(ReleaseError, match="publiceras tisdag 3 december 2024 kl. 07.00"):
        send_local_brief(municipality("0114"), 2024, COUNCIL)
    with pytest.raises(ReleaseError):
        send_district_digest(db.session.scalar(select(District).where(District.county_code == "01")), 2024, COUNCIL)
    assert db.session.scalar(select(OutboxMessage.id)) is None  # nothing half-done
    # The delivery worker lets results out under embargo only to a municipality that ordered the report package,
    # and only to the order's confirmed and approved contacts.
    from hti_comms.publication.contacts import add_contact
    from hti_comms.publication.models import Order, OrderSource, OrderStatus

    order = Order(year=2024, municipality_code="0114", received_at=PUBLISHED_AT - timedelta(days=30), sequence=1,
                  status=OrderStatus.RECEIVED, source=OrderSource.STAFF)
    db.session.add(order)
    add_contact(order, "kommun@vasby.example.se", "Kommun", confirmed=True, actor="test")
    send_local_brief(municipality("0114"), 2024, [Recipient(email="kommun@vasby.example.se")], embargoed_audience=True)
    deliver_due()
    message = mail_sink.wait_for(1)[0]
    assert message["Subject"] == "Under embargo: Upplands Väsby i Hemtjänstindex 2024"
    text, _html = parts(message)
    assert "UNDER EMBARGO TILL TISDAG 3 DECEMBER 2024 KL. 07.00." in text


def test_brief_scheduled_for_publication_is_allowed(app):
    published_years()
    clock.set_now(PUBLISHED_AT - timedelta(hours=2))
    send = send_local_brief(municipality("0115"), 2024, COUNCIL, scheduled_at=PUBLISHED_AT)
    assert send.reference == "brief:2024:0115"
    with pytest.raises(ReleaseError):
        send_local_brief(municipality("0115"), 2024, COUNCIL, scheduled_at=PUBLISHED_AT - timedelta(minutes=1))


def test_no_brief_for_a_municipality_without_result(app):
    from hti_comms.briefs.talking_points import BriefError

    published_years()
    with pytest.raises(BriefError, match="Gotland har inget resultat för 2024"):
        send_local_brief(municipality("0980"), 2024, COUNCIL)


def test_district_digest_groups_and_ranks_within_the_district(mail_sink):
    published_years()
    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    send_district_digest(stockholm, 2024, [Recipient(email="ordf@spf-sthlm.example.se", name="Ordförande")])
    deliver_due()
    message = mail_sink.wait_for(1)[0]
    assert message["Subject"] == "SPF Seniorerna Stockholm: kommunerna i Hemtjänstindex 2024"
    text, html = parts(message)
    lines = [line for line in text.splitlines() if " i distriktet: " in line]
    assert lines == [
        "plats 1 av 3 i distriktet: Upplands Väsby 72,5 (plats 2 av 4 i hela landet, 1,1 enheter över "
        "genomsnittet; +12,5 enheter, upp en placering sedan 2023)",
        "plats 2 av 3 i distriktet: Vallentuna 68,0 (plats 3 av 4 i hela landet, 3,4 enheter under "
        "genomsnittet; −2,0 enheter, ned 2 placeringar sedan 2023)",
        "plats 3 av 3 i distriktet: Österåker 65,0 (plats 4 av 4 i hela landet, 6,4 enheter under "
        "genomsnittet; oförändrat index, ned 2 placeringar sedan 2023)",
    ]
    assert "Håbo" not in text and "Håbo" not in html  # first nationally, but in another district
    assert "Inget resultat 2024 för:" in text  # the district's other municipalities have no result here
    assert "Vallentuna fick 68,0 i Hemtjänstindex 2024" in text


def test_district_digest_ties_share_a_place(app):
    from hti_comms.briefs.services import district_context
    from hti_comms.results.ranking import compute_ranking

    store_year(2024, {"0114": "70.0", "0115": "65.5", "0117": "65.5", "0305": "90.0"})
    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    rows = district_context(stockholm, compute_ranking(2024))["rows"]
    assert [(r["name"], r["district_place"], r["national_place"]) for r in rows] == [
        ("Upplands Väsby", "plats 1 av 3", "plats 2 av 4"),
        ("Vallentuna", "delad plats 2 av 3", "delad plats 3 av 4"),
        ("Österåker", "delad plats 2 av 3", "delad plats 3 av 4")]


def test_demo_brief_warns_once_in_a_banner(app):
    from hti_comms.briefs.emails import local_brief_spec, preview_email
    from hti_comms.briefs.talking_points import build_talking_points
    from hti_comms.results.services import load_demo_results

    year = load_demo_results()[-1]
    html, text = preview_email(local_brief_spec(build_talking_points(municipality("0114"), year)))
    assert text.count("Demodata: siffrorna är syntetiska värden") == 1
    assert "Citera dem inte" not in text
    assert "Demodata:" in html
