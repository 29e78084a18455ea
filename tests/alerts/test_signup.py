""""Min kommun kl. 07.00": asking on the public pages, double opt-in with a button, one or more municipalities, a
clear Swedish message naming the field, no second email within the hour, the one-click way out, nothing else
ever sent, and `hti alert add`."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.alerts.models import AlertMunicipality, AlertStatus, AlertSubscriber
from hti_comms.alerts.services import find_subscriber, purge_unconfirmed
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from tests.helpers import form_csrf_token
from tests.publication.helpers import text_of

SIGNUP = "/min-kommun"


def _ask(client, **values):
    data = {"csrf_token": form_csrf_token(client, SIGNUP), "email": "Eva.Ek@Exempel.se", "municipalities": "Habo",
            "website": ""}
    return client.post(SIGNUP, data={**data, **values})


def _followed(email: str) -> dict[str, bool]:
    subscriber = find_subscriber(email)
    return {m.municipality_code: m.confirmed_at is not None for m in subscriber.municipalities} if subscriber else {}


def test_the_results_pages_and_the_start_page_offer_it(client, app):
    from tests.public.conftest import PUBLICATION, import_year

    clock.set_now(PUBLICATION + timedelta(days=1))
    import_year(2026)
    from hti_comms.results.models import ResultSet

    db.session.get(ResultSet, 2026).published_at = PUBLICATION
    db.session.commit()
    for url in ("/", "/resultat", "/resultat/2026"):
        assert 'href="/min-kommun"' in client.get(url).get_data(as_text=True), url
    page = client.get("/resultat/2026/0643").get_data(as_text=True)
    assert 'href="/min-kommun?kommun=0643"' in page and "Få Habos resultat med e-post klockan 07.00" in page
    form = client.get("/min-kommun?kommun=0643").get_data(as_text=True)
    assert 'value="Habo"' in form


def test_asking_emails_a_button_that_confirms_and_nothing_is_sent_before(client, lists, mail_sink):
    response = _ask(client, municipalities="Habo, Mullsjö")
    assert response.status_code == 302 and response.headers["Location"].endswith("/min-kommun/tack")
    assert "Eva.Ek@Exempel.se" in client.get("/min-kommun/tack").get_data(as_text=True)
    assert _followed("eva.ek@exempel.se") == {"0643": False, "0642": False}
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Bekräfta: resultatet för din kommun med e-post"
    assert "Habo och Mullsjö" in text_of(message)
    url = re.search(r"https://hti\.example\.se(/min-kommun/bekrafta/\S+)", text_of(message)).group(1)

    page = client.get(url).get_data(as_text=True)  # a mail scanner opens the link: nothing happens
    assert "Bekräfta" in page and _followed("eva.ek@exempel.se") == {"0643": False, "0642": False}
    done = client.post(url, data={"csrf_token": form_csrf_token(client, url)}).get_data(as_text=True)
    assert "Du får resultatet för Habo och Mullsjö" in done
    assert _followed("eva.ek@exempel.se") == {"0643": True, "0642": True}
    assert find_subscriber("eva.ek@exempel.se").status is AlertStatus.CONFIRMED
    # An alert subscriber is no contact: on no list, in no audience, so nothing else ever reaches them.
    from hti_comms.subscribers.models import Contact

    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_every_mistake_is_named_beside_its_field_and_nothing_is_stored(client, lists):
    page = _ask(client, email="eva@", municipalities="Habo, Stockholmm")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Kommun" in html and "”Stockholmm” finns inte bland Sveriges 290 kommuner" in html
    page = _ask(client, municipalities="")
    assert "Skriv namnet på din kommun." in page.get_data(as_text=True)
    page = _ask(client, email="inte en adress")
    assert page.status_code == 400 and 'id="email-error"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AlertSubscriber)) == 0


def test_asking_again_within_the_hour_sends_no_second_email_and_a_robot_gets_nothing(client, lists):
    for _ in range(3):
        _ask(client)
    _ask(client, website="http://spam.example")  # the honeypot: the same answer, nothing stored
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    clock.set_now(clock.now() + timedelta(minutes=61))
    _ask(client, municipalities="Lund")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert _followed("eva.ek@exempel.se") == {"0643": False, "1281": False}


def test_a_confirmed_address_asking_for_the_same_again_gets_nothing(client, runner, lists):
    assert runner.invoke(args=["hti", "alert", "add", "--email", "eva.ek@exempel.se", "--municipality", "Habo"]
                         ).exit_code == 0
    _ask(client)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_way_out_asks_first_and_then_deletes_everything(client, runner, lists):
    from hti_comms.links import unsubscribe_url

    runner.invoke(args=["hti", "alert", "add", "--email", "eva@exempel.se", "--municipality", "Habo"])
    subscriber = find_subscriber("eva@exempel.se")
    url = unsubscribe_url(subscriber.link_key, "min-kommun").removeprefix("https://hti.example.se")
    assert url.startswith("/min-kommun/avsluta/")
    page = client.get(url).get_data(as_text=True)
    assert "Habo" in page and "eva@exempel.se" in page and find_subscriber("eva@exempel.se") is not None
    assert "Vi har raderat din e-postadress" in client.post(url).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AlertSubscriber)) == 0
    assert db.session.scalar(select(func.count()).select_from(AlertMunicipality)) == 0
    again = client.post(url)  # a mail reader posts twice: the same calm answer
    assert again.status_code == 200
    # A subscribers domain unsubscribe link is no key to this page.
    assert client.get("/min-kommun/avsluta/not-a-token").status_code == 404


@pytest.mark.parametrize("typed", ["0643", "643", "Habo", "habo kommun"])
def test_hti_alert_add_takes_a_code_or_a_name(runner, lists, typed):
    result = runner.invoke(args=["hti", "alert", "add", "--email", "Olle@Exempel.se", "--municipality", typed])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "olle@exempel.se får resultatet för Habo med e-post när Hemtjänstindex publiceras."
    assert _followed("olle@exempel.se") == {"0643": True}


def test_hti_alert_add_says_what_is_wrong(runner, lists):
    result = runner.invoke(args=["hti", "alert", "add", "--email", "olle@", "--municipality", "Habo"])
    assert result.exit_code == 1 and "E-postadress:" in result.output
    result = runner.invoke(args=["hti", "alert", "add", "--email", "olle@exempel.se", "--municipality", "Atlantis"])
    assert result.exit_code == 1 and "”Atlantis” finns inte bland Sveriges 290 kommuner" in result.output
    assert db.session.scalar(select(func.count()).select_from(AlertSubscriber)) == 0


def test_requests_never_confirmed_are_forgotten(client, app, lists):
    _ask(client)
    clock.set_now(clock.now() + timedelta(days=app.config["SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS"] + 1))
    assert purge_unconfirmed() == 1
    assert db.session.scalar(select(func.count()).select_from(AlertSubscriber)) == 0


def test_staff_see_how_many_follow_which_municipality(staff_login, runner, lists):
    for email in ("a@exempel.se", "b@exempel.se"):
        runner.invoke(args=["hti", "alert", "add", "--email", email, "--municipality", "Habo"])
    page = staff_login.get("/admin/min-kommun/").get_data(as_text=True)
    assert "Bekräftade prenumeranter" in page and "<td>Habo</td><td class=\"num\">2</td>" in page
    assert db.session.scalar(select(func.count()).select_from(Send)) == 0
