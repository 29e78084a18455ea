"""Staff accounts in the app: an invitation by email (a single-use link valid 72 hours), roles changed, an account
disabled, the last login shown, and the last administrator kept."""
from __future__ import annotations

import re
from datetime import timedelta

from hti_comms import clock
from hti_comms.auth.roles import Role
from hti_comms.auth.services import find_staff
from hti_comms.delivery.worker import deliver_due
from tests.helpers import form_csrf_token, make_staff

NEW_PASSWORD = "ett-eget-lösenord-789"


def _invite(staff_login, email="ny.kollega@spf.example", roles=("redaktor",)):
    return staff_login.post("/admin/personal/", data={
        "csrf_token": form_csrf_token(staff_login, "/admin/personal/"), "email": email, "name": "Ny Kollega",
        "roles": list(roles)}, follow_redirects=True)


def _link(mail_sink) -> str:
    deliver_due()
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Inbjudan till Hemtjänstindex"
    return re.search(r"https://hti\.example\.se(/logga-in/inbjudan/\S+)", message.get_body(("plain",)).get_content()
                     ).group(1)


def _choose_password(client, path):
    return client.post(path, data={"csrf_token": form_csrf_token(client, path), "new_password": NEW_PASSWORD,
                                   "repeat_password": NEW_PASSWORD})


def test_an_invitation_link_sets_a_password_once(app, client, staff_login, mail_sink):
    assert "En inbjudan är skickad till ny.kollega@spf.example" in _invite(staff_login).get_data(as_text=True)
    path = _link(mail_sink)
    invited = app.test_client()
    invited.environ_base.update(client.environ_base)
    assert "Välj lösenord" in invited.get(path).get_data(as_text=True)
    done = _choose_password(invited, path)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/"  # a redaktör: no second factor
    assert invited.get("/admin/nyhetsbrev/").status_code == 200
    assert find_staff("ny.kollega@spf.example").roles == {Role.REDAKTOR}

    again = app.test_client()
    again.environ_base.update(client.environ_base)
    assert again.get(path).status_code == 400  # used once: dead
    listing = staff_login.get("/admin/personal/").get_data(as_text=True)
    assert "Ny Kollega" in listing and "Inbjuden, har inte svarat" not in listing


def test_an_invitation_expires_after_72_hours_and_a_role_that_needs_it_sets_up_the_second_factor(
        app, client, staff_login, mail_sink):
    _invite(staff_login, "sen@spf.example", roles=("utskick",))
    path = _link(mail_sink)
    invited = app.test_client()
    invited.environ_base.update(client.environ_base)
    clock.set_now(clock.now() + timedelta(hours=73))
    assert invited.get(path).status_code == 400
    assert "gäller i 72 timmar" in invited.get(path).get_data(as_text=True)

    clock.set_now(clock.now() - timedelta(hours=2))  # 71 hours after: still valid
    assert _choose_password(invited, path).headers["Location"] == "/logga-in/tvastegs"


def test_roles_change_an_account_is_disabled_and_the_last_administrator_stays(app, client, staff_login, staff_user):
    colleague = make_staff("kollega@spf.example", roles=[Role.REDAKTOR])
    url = f"/admin/personal/{colleague.id}"
    staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "roles": ["redaktor", "utskick"],
                                "is_enabled": "y"})
    assert find_staff(colleague.email).roles == {Role.REDAKTOR, Role.UTSKICK}
    staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "roles": ["redaktor"]})
    assert not find_staff(colleague.email).is_enabled

    own = f"/admin/personal/{staff_user.id}"
    refused = staff_login.post(own, data={"csrf_token": form_csrf_token(staff_login, own), "roles": ["redaktor"],
                                          "is_enabled": "y"})
    assert "är den enda administratören" in refused.get_data(as_text=True)
    assert find_staff(staff_user.email).roles == {Role.ADMINISTRATOR}
    page = staff_login.get("/admin/personal/").get_data(as_text=True)
    assert "Avstängt" in page and "Aldrig" in page  # the colleague never logged in; the administrator did
