"""The demo bounces of `make run`: a hard bounce, a soft one and a complaint about a demo send, acted on."""
from sqlalchemy import select

from hti_comms.bounces.demo import load
from hti_comms.bounces.models import BounceReport, ReportKind
from hti_comms.delivery.returns import suppressed_among
from hti_comms.results.services import load_demo_results
from hti_comms.subscribers.models import Contact, ContactStatus

HARD, SOFT, COMPLAINT = "harald.studsare@example.se", "siv.fullbrevlada@example.se", "klas.klagare@example.se"


def test_demo_bounces_are_read_and_acted_on_as_real_ones(app, db, lists, staff_login):
    year = load_demo_results()[-1]
    line = load()
    assert line.startswith(f"DEMODATA: resultatbrevet för {year} till tre demomedlemmar i Habo")
    assert load() is None  # once
    reports = {r.email: (r.kind, r.send_id is not None) for r in db.session.scalars(select(BounceReport))}
    assert reports == {HARD: (ReportKind.HARD_BOUNCE, True), SOFT: (ReportKind.SOFT_BOUNCE, True),
                       COMPLAINT: (ReportKind.COMPLAINT, True)}  # each matched to the message it is about
    assert suppressed_among([HARD, SOFT, COMPLAINT]) == {HARD, COMPLAINT}
    contacts = {c.email: c for c in db.session.scalars(select(Contact))}
    assert all(c.name.endswith("(demo)") for c in contacts.values())
    assert contacts[COMPLAINT].status is ContactStatus.UNSUBSCRIBED

    page = staff_login.get(f"/admin/kontakter/{contacts[HARD].id}").get_data(as_text=True)
    assert "Adressen är spärrad" in page and "5.1.1" in page and "User unknown" in page
    page = staff_login.get(f"/admin/kontakter/{contacts[SOFT].id}").get_data(as_text=True)
    assert "4.2.2" in page and "Mailbox full" in page
