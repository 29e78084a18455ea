"""Staff pages: each contact page shows bounces and complaints and lets staff lift a suppression; list health
with thresholds; an alarm on the staff overview; personal data export and erasure include bounce records."""
from __future__ import annotations

from sqlalchemy import select

from hti_comms.bounces.models import BounceReport, SuppressionLift
from hti_comms.subscribers.models import Contact
from tests.helpers import form_csrf_token

from .conftest import sample


def _contact_url(db, address: str) -> str:
    contact = db.session.scalar(select(Contact).where(Contact.email == address))
    return f"/admin/kontakter/{contact.id}"


def test_the_contact_page_shows_the_bounce_and_staff_lift_the_suppression_with_a_reason(
        app, db, sent, receive, show, staff_login):
    address = "borta@exempel-kommun.se"
    senders = sent(address)
    receive(sample("postfix_hard.eml", verp=senders[address], rcpt=address))
    url = _contact_url(db, address)
    page = staff_login.get(url).get_data(as_text=True)
    assert "Adressen är spärrad" in page and "adressen finns inte eller tar inte emot e-post" in page
    assert "5.1.1" in page and "User unknown" in page and "Häv spärren" in page

    token = form_csrf_token(staff_login, url)
    refused = staff_login.post("/admin/studsar/hav-sparr", data={"email": address, "back": url, "reason": "",
                                                                 "csrf_token": token}, follow_redirects=True)
    assert "Skriv varför spärren hävs" in refused.get_data(as_text=True)
    assert show(address)["suppressed"] is True

    done = staff_login.post("/admin/studsar/hav-sparr", data={
        "email": address, "back": url, "reason": "Ny brevlåda enligt telefonsamtal", "csrf_token": token},
        follow_redirects=True).get_data(as_text=True)
    assert "Spärren är hävd" in done and "Ny brevlåda enligt telefonsamtal" in done
    assert show(address) == {"email": address, "suppressed": False, "reason": None, "soft_bounces_30d": 0,
                             "lists": ["kurser", "nyhetsbrev"]}
    lift = db.session.scalar(select(SuppressionLift))
    assert lift.previous_reason == "hard_bounce" and lift.lifted_by == "personal@spf.example"


def test_list_health_counts_per_send_and_alarms_on_complaints(app, db, sent, receive, staff_login):
    addresses = [f"person{n}@exempel.se" for n in range(4)]
    senders = sent(*addresses)
    receive(sample("gmail_hard.eml", verp=senders[addresses[0]], rcpt=addresses[0]),
            sample("arf_yahoo.eml", verp=senders[addresses[1]], rcpt=addresses[1]))
    page = staff_login.get("/admin/studsar/").get_data(as_text=True)
    assert "<strong>Larm</strong>" in page  # 1 complaint of 4 sent is far above 0.3 %
    row = page.split("Utskick de senaste 30 dagarna")[1]
    # 4 sent: 3 arrived (the complaint too), 1 hard bounce, no soft bounce, 1 complaint.
    assert "Nyhetsbrev" in row and '<td class="num">3</td><td class="num">1</td><td class="num">0</td><td class="num">1</td>' in row
    overview = staff_login.get("/admin/").get_data(as_text=True)
    assert "Listornas hälsa" in overview and "larm" in overview


def test_automatic_replies_are_listed_for_staff_with_the_message(app, db, sent, receive, staff_login):
    senders = sent("ledig@exempel.se")
    receive(sample("vacation_sv.eml", verp=senders["ledig@exempel.se"], rcpt="ledig@exempel.se"))
    page = staff_login.get("/admin/studsar/").get_data(as_text=True)
    assert "Frånvaro: Nyhetsbrev" in page
    report = db.session.scalar(select(BounceReport))
    shown = staff_login.get(f"/admin/studsar/brev/{report.id}").get_data(as_text=True)
    assert "semester till och med den 4 januari" in shown


def test_export_and_erasure_include_the_bounce_records(app, db, sent, receive):
    from hti_comms.personal_data import Person, erase_person, export_person

    address = "borta@exempel-kommun.se"
    senders = sent(address)
    receive(sample("exchange_hard.eml", verp=senders[address], rcpt=address))
    exported = export_person(Person(address))
    assert any(entry.get("kod") == "5.1.10" for entry in exported["studsar och klagomål"])
    erase_person(Person(address))
    db.session.commit()
    assert db.session.scalars(select(BounceReport).where(BounceReport.email == address)).all() == []


def test_a_newsletter_says_how_many_suppressed_addresses_it_will_skip(app, db, sent, receive, staff_login):
    from tests.newsletters.helpers import make_newsletter

    addresses = ["borta@exempel-kommun.se", "kvar@exempel.se", "arg@exempel.se"]
    senders = sent(*addresses)
    receive(sample("postfix_hard.eml", verp=senders[addresses[0]], rcpt=addresses[0]))
    newsletter = make_newsletter(list_key="nyhetsbrev")
    db.session.commit()
    page = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}/skicka").get_data(as_text=True)
    assert "<strong>2 mottagare</strong>" in page
    assert "1 mottagare på listan hoppas över: deras adresser är spärrade" in page


def test_the_outbox_page_of_a_send_shows_its_bounces_and_complaints(app, db, sent, receive, staff_login):
    addresses = [f"person{n}@exempel.se" for n in range(3)]
    senders = sent(*addresses)
    receive(sample("exim_hard.eml", verp=senders[addresses[0]], rcpt=addresses[0]),
            sample("arf_microsoft.eml", verp=senders[addresses[1]], rcpt=addresses[1]))
    from hti_comms.delivery.verp import Verp

    send_id = db.session.scalar(select(BounceReport.send_id))
    assert send_id is not None and Verp.from_config(app.config).outbox_id(senders[addresses[0]]) is not None
    page = staff_login.get(f"/admin/utkorg/{send_id}").get_data(as_text=True)
    assert "Efter utskicket: 1 permanent studs, 0 tillfälliga fel och 1 klagomål" in page
    assert "över larmgränsen 0,3 %" in page
