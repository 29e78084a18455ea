import re

import pytest
from flask import url_for

from hti_comms.auth.models import StaffUser
from hti_comms.auth.roles import Role
from hti_comms.auth.services import authenticate, find_staff
from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token, second_step


def login(client, email, password, token=None):
    """Post the login form; when the password is right, type the code from the app too (the account has one)."""
    data = {"email": email, "password": password}
    if token is not None:
        data["csrf_token"] = token
    return second_step(client, client.post("/logga-in", data=data), email, csrf=token is not None)


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
    response = second_step(client, client.post("/logga-in?next=https://evil.example/", data={
        "email": staff_user.email, "password": TEST_PASSWORD, "csrf_token": token}), staff_user.email)
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

    recording = RecordingHasher.from_parameters(extract_parameters(staff_user.password_hash))
    monkeypatch.setattr(services, "_hasher", lambda: recording)
    assert authenticate("ingen.alls@spf.example", "något-lösenord-1") is None
    assert authenticate(staff_user.email, "fel-lösenord-999") is None
    unknown, known = verified
    assert unknown != known and unknown.startswith("$argon2id$")
    assert extract_parameters(unknown) == extract_parameters(known)


def test_passwords_are_hashed_at_full_cost_outside_the_tests_and_a_cheaper_hash_is_made_again_at_login(db, app):
    """The tests hash with argon2-cffi's cheapest profile (HTI_ENV=test); every other environment with its RFC 9106
    low-memory profile, and a hash made more cheaply is made again at full cost when its owner logs in."""
    from argon2 import extract_parameters, profiles

    from hti_comms.auth.services import create_staff
    from hti_comms.config import build_config

    for environment in ("development", "production"):
        config = build_config({"HTI_ENV": environment, "SECRET_KEY": "k" * 64, "BASE_URL": "https://hti.example.se",
                               "RATELIMIT_ENABLED": "false", "DATABASE_URL": "postgresql://h/db"})
        assert config["PASSWORD_HASH_PROFILE"] == "RFC_9106_LOW_MEMORY"
    user = create_staff("billig@spf.example", "ett-långt-lösenord")
    assert extract_parameters(user.password_hash) == profiles.CHEAPEST
    app.config["PASSWORD_HASH_PROFILE"] = "RFC_9106_LOW_MEMORY"
    assert authenticate("billig@spf.example", "ett-långt-lösenord") is not None
    full = extract_parameters(db.session.get(type(user), user.id).password_hash)
    assert full == profiles.RFC_9106_LOW_MEMORY and (full.time_cost, full.memory_cost) == (3, 65536)


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
    assert "Personalkontot ny.person@spf.example är skapat med rollen administratör." in result.output
    assert authenticate("ny.person@spf.example", "ett-långt-lösenord") is not None
    assert find_staff("ny.person@spf.example").roles == {Role.ADMINISTRATOR}  # as every staff login could before


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


def _client_from(app, address: str):
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/",
                                "REMOTE_ADDR": address})
    return client


def _try(client, email: str, password: str) -> int:
    return login(client, email, password, form_csrf_token(client, "/logga-in")).status_code


def test_an_attacker_cannot_lock_the_owner_out_but_is_still_slowed(app, staff_user, mail_sink):
    """Many wrong tries from X and from a botnet; the owner still logs in from their own browser at Y."""
    app.config.update(LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_RATE_LIMIT="5 per minute")
    owner = _client_from(app, "192.0.2.10")
    assert _try(owner, staff_user.email, TEST_PASSWORD) == 302  # the owner's browser, used before
    owner.post("/logga-ut", data={"csrf_token": form_csrf_token(owner, "/admin/")})

    attacker = _client_from(app, "203.0.113.66")
    assert [_try(attacker, staff_user.email, f"gissning-{n}-xx") for n in range(5)] == [200, 200, 200, 429, 429]
    assert _try(attacker, staff_user.email, TEST_PASSWORD) == 429  # guessing from X stays slowed
    # The refused tries do not count toward the account's own limit: one address cannot use it up.
    newcomer = _client_from(app, "198.51.100.50")
    assert _try(newcomer, staff_user.email, TEST_PASSWORD) == 302

    for number in range(2):  # a botnet: a new address every time
        assert _try(_client_from(app, f"198.51.100.{number + 1}"), staff_user.email, f"bot-{number}-xx") == 200
    # Now the account's slower limit stops new browsers (the botnet), but never the owner's own.
    assert _try(_client_from(app, "198.51.100.99"), staff_user.email, TEST_PASSWORD) == 429
    assert _try(owner, staff_user.email.upper(), TEST_PASSWORD) == 302
    assert owner.get("/admin/").status_code == 200
    # Other accounts are not affected by the guesses at this one.
    assert _try(_client_from(app, "198.51.100.98"), "annan@spf.example", "fel-lösenord-999") == 200


def test_the_owner_is_warned_by_email_once_a_day(app, staff_user, mail_sink):
    from datetime import timedelta

    from hti_comms import clock
    from hti_comms.delivery.worker import deliver_due

    app.config.update(LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT="2 per minute")
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        attacker = _client_from(app, address)
        assert [_try(attacker, staff_user.email, "fel-lösenord-999") for _ in range(3)] == [200, 200, 429]
    deliver_due()
    [warning] = mail_sink.wait_for(1)
    assert warning["To"].addresses[0].addr_spec == "personal@spf.example"
    assert warning["Subject"] == "Många försök att logga in på ditt konto"
    assert "Vi har bromsat försöken" in warning.get_body(("plain",)).get_content()
    clock.set_now(clock.now() + timedelta(days=1))
    assert [_try(_client_from(app, "203.0.113.4"), staff_user.email, "fel-lösenord-999") for _ in range(3)][-1] == 429
    deliver_due()
    assert len(mail_sink.wait_for(2)) == 2
    # Nobody is told anything about an address without an account.
    assert [_try(_client_from(app, "203.0.113.5"), "ingen@spf.example", "fel") for _ in range(3)][-1] == 429
    deliver_due()
    assert len(mail_sink.messages) == 2


def test_the_owner_behind_the_same_address_as_an_attacker_still_logs_in(app, staff_user):
    """One office address (NAT): a colleague's machine sprays accounts; the owner's known browser is not stopped."""
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    owner = _client_from(app, "192.0.2.20")
    assert _try(owner, staff_user.email, TEST_PASSWORD) == 302
    owner.post("/logga-ut", data={"csrf_token": form_csrf_token(owner, "/admin/")})
    sprayer = _client_from(app, "192.0.2.20")
    assert [_try(sprayer, f"konto{n}@spf.example", "fel-lösenord-999") for n in range(4)][-1] == 429
    assert _try(owner, staff_user.email, TEST_PASSWORD) == 302
    # A forged or foreign device cookie exempts nothing.
    stranger = _client_from(app, "192.0.2.20")
    stranger.set_cookie("hti_enhet", "förfalskad", path="/logga-in")
    assert _try(stranger, staff_user.email, TEST_PASSWORD) == 429


@pytest.mark.parametrize("trusted_proxies, second_client_status", [(1, 200), (0, 429)])
def test_behind_the_proxy_each_client_address_has_its_own_limit(migrated_database, trusted_proxies,
                                                                 second_client_status):
    from hti_comms import create_app
    from hti_comms.extensions import db

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": migrated_database, "BASE_URL": "https://hti.example.se",
                      "TRUSTED_PROXIES": trusted_proxies, "LOGIN_RATE_LIMIT": "2 per minute",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        try:
            def attempt(forwarded_for: str, email: str) -> int:
                client = app.test_client()
                # Every request reaches the app from the TLS proxy; the client's address is in its header.
                client.environ_base.update({"wsgi.url_scheme": "https", "REMOTE_ADDR": "10.0.0.2"})
                return client.post("/logga-in", data={"email": email, "password": "fel-lösenord-999"},
                                   headers={"X-Forwarded-For": forwarded_for}).status_code

            assert [attempt("203.0.113.10", f"a{n}@spf.example") for n in range(3)] == [200, 200, 429]
            assert attempt("203.0.113.20", "b@spf.example") == second_client_status
        finally:
            db.session.remove()
            db.engine.dispose()
