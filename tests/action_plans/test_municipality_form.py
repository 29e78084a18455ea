"""The municipality's own form: reached only through a report-package contact's personal link (from the access
email at publication), and nothing it sends is public before staff approve it."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.action_plans.links import plan_form_token
from hti_comms.action_plans.models import Measure, MeasureVersion, PlanSubmission
from hti_comms.delivery.worker import deliver_due
from hti_comms.publication.contacts import remove_contact
from hti_comms.scheduling.sweeps import run_all_once
from tests.helpers import form_csrf_token
from tests.publication.helpers import PUBLISHED_AT, results_for_2025, staff_order, text_of, to_of

from .helpers import add

PUBLIC_PAGE = "/resultat/2025/0114"


def _link(message) -> str:
    return urlsplit(re.search(r"https://hti\.example\.se/atgardsplan/\S+", text_of(message)).group(0)).path


@pytest.fixture
def published(app, mail_sink):
    """2025 published with two ordering municipalities; the access emails delivered. Returns {address: link}."""
    results_for_2025()
    staff_order("0114", "eva@vasby.example.se", "olle@vasby.example.se")
    staff_order("0115", "vera@vallentuna.example.se")
    clock.set_now(PUBLISHED_AT)
    run_all_once()
    sent = deliver_due()
    messages = mail_sink.wait_for(sent)
    return {to_of(m): _link(m) for m in messages if m["Subject"].startswith("Nu är Hemtjänstindex 2025 publicerat")}


def _propose(client, link: str, **values) -> str:
    data = {"csrf_token": form_csrf_token(client, link), "measure": "", "area": "information",
            "text": "ta fram en tydligare webbplats med klarspråk", "horizon": "kort", "status": "pagar",
            "status_since": "", "source_url": "", "message": "Hälsningar från Eva Ek"}
    data.update(values)
    return client.post(link, data=data, follow_redirects=True).get_data(as_text=True)


def test_each_contact_gets_a_personal_link_in_the_access_email_and_it_opens_only_their_municipality(client,
                                                                                                   published):
    assert set(published) == {"eva@vasby.example.se", "olle@vasby.example.se", "vera@vallentuna.example.se"}
    assert len(set(published.values())) == 3  # one link per person
    page = client.get(published["eva@vasby.example.se"])
    assert page.status_code == 200 and "Upplands Väsbys arbete med resultatet 2025" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    assert "Vallentuna" in client.get(published["vera@vallentuna.example.se"]).get_data(as_text=True)

    token = published["eva@vasby.example.se"].rsplit("/", 1)[1]
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x", token + "x"):
        assert client.get(f"/atgardsplan/{forged}").status_code == 404
    # A genuine key for another municipality or year is no link either (the token names all three).
    from hti_comms.publication.models import OrderContact
    from hti_comms.extensions import db

    eva = db.session.scalar(select(OrderContact).join(OrderContact.contact).where(
        OrderContact.contact.has(email="eva@vasby.example.se")))
    for year, code in ((2025, "0115"), (2024, "0114")):
        assert client.get(f"/atgardsplan/{plan_form_token(eva.key, year, code)}").status_code == 404
    # Taken off the order, the person's link stops working.
    remove_contact(eva, actor="personal@spf.example")
    assert client.get(published["eva@vasby.example.se"]).status_code == 404
    assert client.get(published["olle@vasby.example.se"]).status_code == 200


def test_what_the_municipality_sends_shows_nowhere_public_until_staff_approve_it(client, staff_login, db, published):
    public = client.application.test_client()
    public.environ_base.update({"wsgi.url_scheme": "https"})
    link = published["eva@vasby.example.se"]
    page = _propose(public, link)
    assert "Tack! Vi på SPF Seniorerna läser igenom det ni har skickat." in page
    assert "Väntar på granskning" in page  # the contact sees what they sent
    submission = db.session.scalar(select(PlanSubmission))
    assert db.session.scalar(select(func.count()).select_from(Measure)) == 0
    shown = public.get(PUBLIC_PAGE).get_data(as_text=True)
    assert "tydligare webbplats" not in shown and "Kommunen har inte berättat om sina åtgärder" in shown
    listed = client.application.test_cli_runner().invoke(args=["hti", "action-plan", "list", "--year", "2025",
                                                                "--format", "json"])
    assert listed.output.strip() == "[]"

    review = f"/admin/atgardsplaner/forslag/{submission.id}"
    overview = staff_login.get("/admin/atgardsplaner/2025").get_data(as_text=True)
    assert review in overview  # waiting for review
    assert "Hälsningar från Eva Ek" in staff_login.get(review).get_data(as_text=True)
    staff_login.post(f"{review}/godkann", data={"csrf_token": form_csrf_token(staff_login, review)})
    shown = public.get(PUBLIC_PAGE).get_data(as_text=True)
    assert "Ta fram en tydligare webbplats med klarspråk" in shown
    assert "Hälsningar från Eva Ek" not in shown  # the message to SPF is never public
    version = db.session.scalar(select(MeasureVersion))
    assert version.submission_id == submission.id
    assert version.changed_by == "kommunen via sitt formulär, godkänt av personal@spf.example"

    # The municipality reports progress on the same measure: again nothing changes until it is approved.
    measure = db.session.scalar(select(Measure))
    change = f"{link}?andra={measure.id}"
    prefilled = public.get(change).get_data(as_text=True)
    assert "ta fram en tydligare webbplats med klarspråk</textarea>" in prefilled
    assert f'selected value="{measure.id}"' in prefilled
    _propose(public, link, measure=str(measure.id), status="genomford", status_since="2026-04-01")
    assert "Pågår sedan" in public.get(PUBLIC_PAGE).get_data(as_text=True)
    second = db.session.scalar(select(PlanSubmission).where(PlanSubmission.measure_id == measure.id,
                                                            PlanSubmission.review_status == "pending"))
    review = f"/admin/atgardsplaner/forslag/{second.id}"
    staff_login.post(f"{review}/avvisa", data={"csrf_token": form_csrf_token(staff_login, review),
                                               "note": "Ringde kommunen: inte klart än."})
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).status.value == "pagar"
    assert "Genomförd" not in public.get(PUBLIC_PAGE).get_data(as_text=True)


def test_a_proposal_with_mistakes_is_refused_beside_the_field_and_nothing_is_stored(client, db, published):
    link = published["eva@vasby.example.se"]
    page = _propose(client, link, text="Bygga om. Sedan mer", source_url="spfseniorerna.se@evil")
    assert "Skriv åtgärden som en enda mening" in page and "inte en fullständig webbadress" in page
    assert db.session.scalar(select(func.count()).select_from(PlanSubmission)) == 0
    add(2025, "0115", "information", "ge tydligare information om avgifterna")
    other = db.session.scalar(select(Measure))
    page = _propose(client, link, measure=str(other.id))  # Vallentuna's measure through Upplands Väsby's link
    assert "Välj ett av alternativen i listan." in page
    assert db.session.scalar(select(func.count()).select_from(PlanSubmission)) == 0
