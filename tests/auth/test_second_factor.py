"""Two-factor login: codes with a moved clock, single-use recovery codes, setting it up at the first login, the
email about a new second factor and about many wrong codes, and an administrator's reset."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.auth.roles import Role
from hti_comms.auth.second_factor import code_at, current_step, use_code
from hti_comms.auth.services import find_staff
from hti_comms.delivery.models import Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.helpers import TEST_TOTP_SECRET, form_csrf_token, log_in, make_staff


def _password(client, email, password=TEST_PASSWORD):
    return client.post("/logga-in", data={"email": email, "password": password,
                                          "csrf_token": form_csrf_token(client, "/logga-in")})


def _code(client, code):
    return client.post("/logga-in/kod", data={"code": code, "csrf_token": form_csrf_token(client, "/logga-in/kod")})


def test_a_code_from_the_previous_window_works_two_windows_back_does_not_and_a_used_code_never_again(app, db):
    user = make_staff("kod@spf.example")
    step = current_step()
    assert not use_code(user, code_at(TEST_TOTP_SECRET, step - 2))  # a minute old: refused
    assert use_code(user, code_at(TEST_TOTP_SECRET, step - 1))  # the 30 seconds before: accepted
    assert not use_code(user, code_at(TEST_TOTP_SECRET, step - 1))  # the same code again: refused
    assert use_code(user, code_at(TEST_TOTP_SECRET, step))
    assert not use_code(user, code_at(TEST_TOTP_SECRET, step))
    assert not use_code(user, code_at(TEST_TOTP_SECRET, step + 1))  # a code from the future: refused

    clock.set_now(clock.now() + timedelta(seconds=30))  # the clock moves on one window
    assert not use_code(user, code_at(TEST_TOTP_SECRET, step))  # used already (and now one back)
    assert use_code(user, code_at(TEST_TOTP_SECRET, step + 1))


def test_the_login_asks_for_the_code_and_refuses_a_wrong_one(client, staff_user):
    response = _password(client, staff_user.email)
    assert response.headers["Location"] == "/logga-in/kod"
    assert client.get("/admin/").status_code == 302  # the password alone opens nothing
    wrong = _code(client, "000000" if code_at(TEST_TOTP_SECRET, current_step()) != "000000" else "111111")
    assert "Koden stämmer inte eller är redan använd." in wrong.get_data(as_text=True)
    done = _code(client, code_at(TEST_TOTP_SECRET, current_step()))
    assert done.status_code == 302 and done.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert find_staff(staff_user.email).last_login_at is not None


def test_the_half_done_login_expires_after_ten_minutes(client, staff_user):
    _password(client, staff_user.email)
    token = form_csrf_token(client, "/logga-in/kod")
    clock.set_now(clock.now() + timedelta(minutes=11))
    response = client.post("/logga-in/kod", data={"code": code_at(TEST_TOTP_SECRET, current_step()),
                                                  "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/logga-in"
    assert client.get("/admin/").status_code == 302


def test_setting_it_up_at_the_first_login_shows_ten_recovery_codes_once_and_each_works_once(app, client, db,
                                                                                             mail_sink):
    make_staff("ny@spf.example", roles=[Role.PUBLICERING], second_factor=False)
    assert _password(client, "ny@spf.example").headers["Location"] == "/logga-in/tvastegs"
    page = client.get("/logga-in/tvastegs").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR-kod att läsa med appen"' in page
    key = re.search(r'<strong class="key">([A-Z2-7 ]+)</strong>', page).group(1).replace(" ", "")
    shown = client.post("/logga-in/tvastegs", data={"code": code_at(key, current_step()),
                                                    "csrf_token": form_csrf_token(client, "/logga-in/tvastegs")})
    codes = re.findall(r"<li><strong>([a-z2-9]{5}-[a-z2-9]{5})</strong></li>", shown.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    deliver_due()
    [told] = mail_sink.wait_for(1)
    assert told["Subject"] == "Ny tvåstegsverifiering på ditt konto"

    # Without the phone: a recovery code instead of the code, once.
    for attempt in range(2):
        other = app.test_client()
        other.environ_base.update(client.environ_base)
        _password(other, "ny@spf.example")
        response = _code(other, codes[0].upper())
        assert (response.status_code == 302) == (attempt == 0), attempt
    assert db.session.scalar(select(Send).where(Send.kind == "second_factor_added")) is not None


def test_a_redaktor_logs_in_with_the_password_alone_unless_the_setting_asks_everyone(app, client, db):
    make_staff("skribent@spf.example", roles=[Role.REDAKTOR], second_factor=False)
    assert _password(client, "skribent@spf.example").headers["Location"] == "/admin/"
    client.post("/logga-ut", data={"csrf_token": form_csrf_token(client, "/admin/")})
    app.config["TWO_FACTOR_FOR_EVERYONE"] = True
    assert _password(client, "skribent@spf.example").headers["Location"] == "/logga-in/tvastegs"


def test_a_logged_in_person_given_a_role_that_needs_it_sets_it_up_first(app, client, db):
    from hti_comms.auth.services import set_roles

    user = make_staff("skribent@spf.example", roles=[Role.REDAKTOR], second_factor=False)
    log_in(client, user.email)
    set_roles(user, [Role.REDAKTOR, Role.UTSKICK], enabled=True)
    db.session.commit()
    response = client.get("/admin/nyhetsbrev/")
    assert response.status_code == 302 and response.headers["Location"] == "/konto/tvastegsverifiering"


def test_many_wrong_codes_are_slowed_and_the_owner_is_told(app, client, staff_user, mail_sink):
    app.config["SECOND_FACTOR_RATE_LIMIT"] = "3 per minute"
    _password(client, staff_user.email)
    right = code_at(TEST_TOTP_SECRET, current_step())
    wrong = "123456" if right != "123456" else "654321"
    assert [_code(client, wrong).status_code for _ in range(4)] == [200, 200, 200, 429]
    deliver_due()
    [warning] = mail_sink.wait_for(1)
    assert "men många gånger fel kod från appen" in warning.get_body(("plain",)).get_content()


def test_an_administrator_resets_a_second_factor(app, client, staff_user, db):
    person = make_staff("tappade@spf.example", roles=[Role.UTSKICK])
    theirs = app.test_client()
    theirs.environ_base.update(client.environ_base)
    log_in(theirs, person.email)
    log_in(client, staff_user.email)
    url = f"/admin/personal/{person.id}"
    client.post(f"{url}/aterstall-tvastegs", data={"csrf_token": form_csrf_token(client, url)})
    assert theirs.get("/admin/").status_code == 302  # logged out everywhere
    assert _password(theirs, person.email).headers["Location"] == "/logga-in/tvastegs"
