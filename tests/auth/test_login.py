import re

import pytest
from flask import url_for

from hti_comms.auth.models import StaffUser
from hti_comms.auth.services import authenticate
from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token


def login(client, email, password, token=None):
    data = {"email": email, "password": password}
    if token is not None:
        data["csrf_token"] = token
    return client.post("/logga-in", data=data)


def test_login_and_logout(client, staff_user):
    token = form_csrf_token(client, "/logga-in")
    response = login(client, "Personal@SPF.example ", TEST_PASSWORD, token)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    assert "Översikt" in client.get("/admin/").get_data(as_text=True)

    token = form_csrf_token(client, "/admin/")
    response = client.post("/logga-ut", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_in_swedish(client, staff_user):
    token = form_csrf_token(client, "/logga-in")
    response = login(client, staff_user.email, "fel-lösenord-999", token)
    assert response.status_code == 200
    assert "Fel e-postadress eller lösenord." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_rejected(client, staff_user):
    response = login(client, staff_user.email, TEST_PASSWORD)
    assert response.status_code == 400
    assert "Formuläret har gått ut" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_admin_form_without_csrf_token_is_rejected(staff_login):
    response = staff_login.post("/admin/distrikt/", data={"name": "Nytt distrikt"})
    assert response.status_code == 400


def test_next_parameter_never_leaves_the_site(client, staff_user):
    token = form_csrf_token(client, "/logga-in")
    response = client.post("/logga-in?next=https://evil.example/", data={
        "email": staff_user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/"


def test_password_is_stored_as_argon2(db, staff_user):
    assert staff_user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in staff_user.password_hash
    assert authenticate(staff_user.email, TEST_PASSWORD) is not None
    assert authenticate(staff_user.email, TEST_PASSWORD + "x") is None


def test_unknown_address_costs_the_same_argon2_verification_as_a_known_one(db, staff_user, monkeypatch):
    """An unknown address is checked against a dummy hash made like a real one, so its login takes as long."""
    from argon2 import PasswordHasher, extract_parameters

    from hti_comms.auth import services

    verified = []

    class RecordingHasher(PasswordHasher):
        def verify(self, hash, password):
            verified.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(services, "_hasher", RecordingHasher())
    services._dummy_hash.cache_clear()  # the dummy is made lazily, on the first login of the process
    assert authenticate("ingen.alls@spf.example", "något-lösenord-1") is None
    assert authenticate(staff_user.email, "fel-lösenord-999") is None
    unknown, known = verified
    assert unknown != known and unknown.startswith("$argon2id$")
    assert extract_parameters(unknown) == extract_parameters(known)
    services._dummy_hash.cache_clear()


def test_session_cookie_flags(client, staff_user):
    token = form_csrf_token(client, "/logga-in")
    response = login(client, staff_user.email, TEST_PASSWORD, token)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # BASE_URL in the tests is https, so the cookie must be Secure as well.
    assert "Secure" in cookie


def test_every_admin_route_requires_login(app, client):
    # A valid CSRF token, so that POSTs reach the login check instead of stopping at the CSRF check.
    token = form_csrf_token(client, "/logga-in")
    checked = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        values = {arg: ("2024" if "year" in arg else "1" if arg.endswith("id") else "0114") for arg in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code == 302, f"{method} {url} answered {response.status_code} without login"
            assert response.headers["Location"].startswith("/logga-in"), f"{method} {url}"
            checked.append((method, url))
    assert len(checked) >= 6, checked


def test_create_staff_cli_with_password_stdin(runner, db):
    result = runner.invoke(args=["hti", "create-staff", "Ny.Person@SPF.example", "--password-stdin"],
                           input="ett-långt-lösenord\n")
    assert result.exit_code == 0, result.output
    assert "Personalkontot ny.person@spf.example är skapat." in result.output
    assert authenticate("ny.person@spf.example", "ett-långt-lösenord") is not None


def test_create_staff_cli_prompts_without_echo(runner, db):
    result = runner.invoke(args=["hti", "create-staff", "anna@spf.example"],
                           input="ett-långt-lösenord\nett-långt-lösenord\n")
    assert result.exit_code == 0, result.output
    assert "ett-långt-lösenord" not in result.output
    assert db.session.query(StaffUser).count() == 1


@pytest.mark.parametrize("email, password, message", [
    ("inte-en-adress", "ett-långt-lösenord", "är ingen giltig e-postadress"),
    ("anna@spf.example", "kort", "minst 10 tecken"),
])
def test_create_staff_cli_rejects_bad_input(runner, db, email, password, message):
    result = runner.invoke(args=["hti", "create-staff", email, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert re.search(message, result.output)
    assert db.session.query(StaffUser).count() == 0


def test_password_guessing_is_rate_limited(client, app, staff_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    client.environ_base["REMOTE_ADDR"] = "192.0.2.77"  # an address of its own: limits are kept per address
    token = form_csrf_token(client, "/logga-in")
    for attempt in range(3):
        assert login(client, staff_user.email, f"gissning-{attempt}-xx", token).status_code == 200
    blocked = login(client, staff_user.email, TEST_PASSWORD, token)
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
