"""Cross-site request forgery: posts from our own pages pass in production (with or without a Referer), posts
that another site's page sends are refused, and the CSRF token changes at login and logout."""
import re

import pytest
from sqlalchemy import select

from hti_comms import create_app
from hti_comms.extensions import db as _db
from hti_comms.forgery import origin_of, refusal_reason
from hti_comms.subscribers.confirmation import confirmation_token
from hti_comms.subscribers.forms import place_from_choice
from hti_comms.subscribers.models import Contact, ContactStatus
from hti_comms.subscribers.services import ensure_default_lists
from hti_comms.subscribers.signup import SignUpRequest, sign_up
from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token, log_in, second_step

BASE_URL = "https://hti.example.se"
#: What every request looks like behind the TLS proxy: plain http from 127.0.0.1, the client in the headers.
FROM_THE_PROXY = {"wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
                  "HTTP_X_FORWARDED_FOR": "198.51.100.7", "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture
def production(app, migrated_database):
    """An app built as production builds it (https BASE_URL, one trusted proxy), on the test database."""
    production_app = create_app({"HTI_ENV": "production", "SECRET_KEY": "p" * 40, "RATELIMIT_ENABLED": "false",
                                 "TRUSTED_PROXIES": "1", "BASE_URL": BASE_URL, "DATABASE_URL": migrated_database})
    with production_app.app_context():
        ensure_default_lists()
        try:
            yield production_app
        finally:
            _db.session.remove()
            _db.engine.dispose()  # the `app` fixture empties the tables afterwards


def pending_confirmation(address: str) -> str:
    """Sign `address` up as the public form does; return the path of the emailed confirmation link."""
    sign_up(SignUpRequest(name="Greta Gran", email=address, list_keys=["nyhetsbrev"],
                          place=place_from_choice("council_member:pensionarsrad", "Habo")))
    contact = _db.session.scalar(select(Contact).where(Contact.email == address))
    return f"/bekrafta/{confirmation_token(contact.link_key)}"


def status_of(address: str) -> ContactStatus:
    _db.session.expire_all()
    return _db.session.scalar(select(Contact.status).where(Contact.email == address))


def press_confirm(production, headers: dict, *, with_token: bool = True):
    """Open the confirmation link and press its button, sending `headers` as the browser would."""
    address = "greta@exempel.se"
    path = pending_confirmation(address)
    browser = production.test_client()
    browser.environ_base.update(FROM_THE_PROXY)
    page = browser.get(path)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = browser.post(path, data={"csrf_token": token} if with_token else {}, headers=headers)
    return response, status_of(address)


@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": BASE_URL}, id="Origin is BASE_URL's, no Referer"),
    pytest.param({"Origin": "null", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"},
                 id="what Chromium sends from a no-referrer page"),
    pytest.param({"Origin": "https://HTI.example.se:443"}, id="Origin with the default port"),
    pytest.param({"Referer": f"{BASE_URL}/bekrafta/x"}, id="only a Referer of ours"),
    pytest.param({}, id="neither Origin nor Referer (older browsers): the token and the SameSite cookie decide"),
])
def test_the_emailed_confirmation_button_works_in_production(production, headers):
    response, status = press_confirm(production, headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Tack, nu är du anmäld!" in response.get_data(as_text=True)
    assert status is ContactStatus.CONFIRMED


@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": "https://evil.example"}, id="another site"),
    pytest.param({"Origin": "http://hti.example.se"}, id="our host over plain http"),
    pytest.param({"Origin": "https://hti.example.se.evil.example"}, id="a lookalike host"),
    pytest.param({"Origin": "null", "Sec-Fetch-Site": "cross-site"}, id="a sandboxed frame on another site"),
    pytest.param({"Origin": "https://www.example.se", "Sec-Fetch-Site": "same-site"}, id="a neighbouring subdomain"),
    pytest.param({"Referer": "https://evil.example/sida"}, id="no Origin, another site's Referer"),
])
def test_a_post_from_another_sites_page_is_refused(production, headers):
    response, status = press_confirm(production, headers)
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)
    assert status is ContactStatus.PENDING


def test_our_origin_never_replaces_the_token(production):
    response, status = press_confirm(production, {"Origin": BASE_URL, "Sec-Fetch-Site": "same-origin"},
                                     with_token=False)
    assert response.status_code == 400 and status is ContactStatus.PENDING


def test_production_session_cookie_is_secure_httponly_and_samesite_lax(production):
    browser = production.test_client()
    browser.environ_base.update(FROM_THE_PROXY)
    cookie = browser.get(pending_confirmation("greta@exempel.se")).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_one_click_unsubscribe_stays_exempt(production, make_contact):
    """RFC 8058: a mail provider posts from its own servers, without cookies, token or Origin of ours."""
    from hti_comms.links import unsubscribe_url

    contact = make_contact("eva@exempel.se")
    path = unsubscribe_url(contact.link_key, "nyhetsbrev").removeprefix(BASE_URL)
    provider = production.test_client()
    provider.environ_base.update(FROM_THE_PROXY)
    response = provider.post(path, data={"List-Unsubscribe": "One-Click"}, headers={"Origin": "null"})
    assert response.status_code == 200
    _db.session.expire_all()
    assert "nyhetsbrev" not in _db.session.get(Contact, contact.id).list_keys


def test_origins_are_compared_as_scheme_host_and_port():
    ours = {origin_of(BASE_URL)}
    assert origin_of("https://hti.example.se:443/x?y") == ("https", "hti.example.se", 443)
    assert origin_of("null") is None and origin_of("javascript:alert(1)") is None
    assert origin_of("https://hti.example.se:99999") is None  # a malformed port names no origin
    assert refusal_reason({"Origin": "https://hti.example.se:8443"}, ours) == \
        "Origin 'https://hti.example.se:8443' is not ours"
    assert refusal_reason({"Sec-Fetch-Site": "none"}, ours) is None  # typed or bookmarked by the person


# --- A new token at login and at logout ---------------------------------------------------------------------------

def test_a_token_from_before_the_login_is_refused_after_it(client, staff_user):
    """A token obtained with a planted pre-login cookie must not work once its victim has logged in."""
    planted = form_csrf_token(client, "/logga-in")
    logged_in = client.post("/logga-in", data={"email": staff_user.email, "password": TEST_PASSWORD,
                                               "csrf_token": planted})
    logged_in = second_step(client, logged_in, staff_user.email)
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == "/admin/"

    forged = client.post("/logga-ut", data={"csrf_token": planted})
    assert forged.status_code == 400 and "Formuläret har gått ut" in forged.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200  # still logged in: the forged post did nothing

    fresh = form_csrf_token(client, "/admin/")
    assert fresh != planted
    assert client.post("/logga-ut", data={"csrf_token": fresh}).status_code == 302


def test_a_token_from_before_the_logout_is_refused_after_it(client, staff_user):
    log_in(client, staff_user.email)
    staff_token = form_csrf_token(client, "/admin/")
    assert client.post("/logga-ut", data={"csrf_token": staff_token}).status_code == 302

    again = client.post("/logga-in", data={"email": staff_user.email, "password": TEST_PASSWORD,
                                           "csrf_token": staff_token})
    assert again.status_code == 400
    assert client.get("/admin/").status_code == 302  # not logged in
