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
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114")
    response = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token},
                                follow_redirects=True)

    assert "Resultatbrevet för Upplands Väsby ligger i utkorgen till 1 mottagare" in response.get_data(as_text=True)
    assert outbox_emails() == {"rad@example.se"}


def test_local_brief_is_refused_before_publication(staff_login, published, make_contact):
    make_contact("rad@example.se", list_keys=("lokala-resultat",))
    clock.set_now(PUBLISHED_AT - timedelta(hours=24))
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114")
    response = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token},
                                follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Resultatbrevet för Upplands Väsby skickades inte. Resultaten för 2024 publiceras" in html
    assert "Före dess får de bara skickas till mottagare med embargo." in html
    assert outbox_emails() == set()


def test_empty_audience_is_explained(staff_login, published):
    token = form_csrf_token(staff_login, "/admin/talpunkter/2024/0114")
    response = staff_login.post("/admin/talpunkter/2024/0114/skicka", data={"csrf_token": token},
                                follow_redirects=True)
    assert "ingen bekräftad mottagare bland pensionärsrådet i Upplands Väsby" in response.get_data(as_text=True)


def test_district_digest_goes_to_the_district_chairs(staff_login, published, make_contact):
    district = db.session.get(Municipality, "0114").district
    make_contact("ordforande@example.se", role="district_chair", list_keys=("lokala-resultat",))
    make_contact("rad@example.se", list_keys=("lokala-resultat",))  # a council member is not a district chair
    make_contact("skane@example.se", role="district_chair", municipality="Malmö", list_keys=("lokala-resultat",))

    url = f"/admin/talpunkter/2024/distrikt/{district.id}"
    assert "just nu <strong>1</strong>" in staff_login.get(url).get_data(as_text=True)
    response = staff_login.post(url + "/skicka", data={"csrf_token": form_csrf_token(staff_login, url)},
                                follow_redirects=True)
    assert f"Distriktsbrevet för {district.name} ligger i utkorgen till 1 mottagare" in response.get_data(as_text=True)
    assert outbox_emails() == {"ordforande@example.se"}
