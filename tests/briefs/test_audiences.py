"""Staff send briefs to the real audiences: a municipality's council, a district's chairs and officers."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage
from hti_comms.extensions import db
from hti_comms.geo.models import Municipality
from hti_comms.results.models import ResultSet
from tests.briefs.factories import store_year
from tests.helpers import form_csrf_token

PUBLISHED_AT = datetime(2024, 12, 3, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def published(app):
    store_year(2024, {"0114": "72.5", "0115": "68.0", "0180": "65.0"})
    db.session.get(ResultSet, 2024).published_at = PUBLISHED_AT
    db.session.commit()
    clock.set_now(PUBLISHED_AT + timedelta(hours=1))


def outbox_emails() -> set[str]:
    return set(db.session.scalars(select(OutboxMessage.email)))


def test_local_brief_goes_to_the_council_of_that_municipality_only(staff_login, published, make_contact):
    make_contact("rad@example.se", list_keys=("lokala-resultat",))
    make_contact("nyhetsbrev.bara@example.se", list_keys=("nyhetsbrev",))
    make_contact("annan.kommun@example.se", municipality="Vallentuna", list_keys=("lokala-resultat",))
    make_contact("tjansteman@example.se", role="municipal_official", list_keys=("lokala-resultat",))

    page = staff_login.get("/admin/talpunkter/2024/0114").get_data(as_text=True)
    assert "just nu <strong>1</strong>" in page
    # The button only asks: the confirmation page names who gets it, and nothing is in the outbox yet.
    confirm = staff_login.get("/admin/talpunkter/2024/0114/skicka").get_data(as_text=True)
    assert "<h1>Skicka till 1 person?</h1>" in confirm
    assert "rad@example.se" in confirm and "annan.kommun@example.se" not in confirm
    assert outbox_emails() == set()
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114/skicka")
    unconfirmed = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token})
    assert "Skicka till 1 person?" in unconfirmed.get_data(as_text=True)  # a post without "Ja" only asks again
    assert outbox_emails() == set()
    response = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token, "confirmed": "1"},
                                follow_redirects=True)

    assert "Resultatbrevet för Upplands Väsby ligger i utkorgen till 1 mottagare" in response.get_data(as_text=True)
    assert outbox_emails() == {"rad@example.se"}


def test_local_brief_is_refused_before_publication(staff_login, published, make_contact):
    make_contact("rad@example.se", list_keys=("lokala-resultat",))
    clock.set_now(PUBLISHED_AT - timedelta(hours=24))
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114")
    assert 'disabled aria-describedby="send-reason"' in staff_login.get("/admin/talpunkter/2024/0114").get_data(
        as_text=True)
    response = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token, "confirmed": "1"},
                                follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Resultatbrevet för Upplands Väsby skickades inte. Resultaten för 2024 publiceras" in html
    assert "Före dess får de bara skickas till mottagare med embargo." in html
    assert outbox_emails() == set()


def test_empty_audience_is_explained(staff_login, published):
    page = staff_login.get("/admin/talpunkter/2024/0114").get_data(as_text=True)
    # The button cannot work, so it is disabled with the reason next to it.
    assert 'disabled aria-describedby="send-reason"' in page
    assert "Brevet kan inte skickas: ingen i pensionärsrådet i Upplands Väsby har bekräftat" in page
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114")
    response = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token, "confirmed": "1"},
                                follow_redirects=True)
    assert "ingen bekräftad mottagare bland pensionärsrådet i Upplands Väsby" in response.get_data(as_text=True)
    assert outbox_emails() == set()


def test_district_digest_goes_to_the_district_chairs(staff_login, published, make_contact):
    district = db.session.get(Municipality, "0114").district
    make_contact("ordforande@example.se", role="district_chair", list_keys=("lokala-resultat",))
    make_contact("rad@example.se", list_keys=("lokala-resultat",))  # a council member is not a district chair
    make_contact("skane@example.se", role="district_chair", municipality="Malmö", list_keys=("lokala-resultat",))

    url = f"/admin/talpunkter/2024/distrikt/{district.id}"
    assert "just nu <strong>1</strong>" in staff_login.get(url).get_data(as_text=True)
    confirm = staff_login.get(url + "/skicka").get_data(as_text=True)
    assert "<h1>Skicka till 1 person?</h1>" in confirm and "ordforande@example.se" in confirm
    assert f"Distriktsbrev: {district.name} 2024" in confirm
    assert outbox_emails() == set()
    response = staff_login.post(url + "/skicka", data={"csrf_token": form_csrf_token(staff_login, url),
                                                       "confirmed": "1"}, follow_redirects=True)
    assert f"Distriktsbrevet för {district.name} ligger i utkorgen till 1 mottagare" in response.get_data(as_text=True)
    assert outbox_emails() == {"ordforande@example.se"}


def test_outbox_names_brief_sends_in_swedish(staff_login, published, make_contact):
    make_contact("rad@example.se", list_keys=("lokala-resultat",))
    district = db.session.get(Municipality, "0114").district
    make_contact("ordforande@example.se", role="district_chair", list_keys=("lokala-resultat",))
    url = "/admin/talpunkter/2024/0114/skicka"
    staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "confirmed": "1"})
    url = f"/admin/talpunkter/2024/distrikt/{district.id}/skicka"
    staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "confirmed": "1"})

    outbox = staff_login.get("/admin/utkorg/").get_data(as_text=True)
    assert "Lokalt resultatbrev: Upplands Väsby 2024" in outbox
    assert f"Distriktsbrev: {district.name} 2024" in outbox
    assert "brief:2024" not in outbox and "district-digest:" not in outbox
