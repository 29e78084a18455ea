"""Logging out and changing the password end every session of the person, also copies of the cookie."""
from hti_comms.auth.services import authenticate
from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token, log_in

NEW_PASSWORD = "ett-helt-nytt-lösenord-456"


def copy_of_session(app, client):
    """Return a second client holding a copy of `client`'s session cookie (as a thief or another tab would)."""
    other = app.test_client()
    other.environ_base.update(client.environ_base)
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_logout_ends_a_copied_session_cookie(app, staff_login):
    stolen = copy_of_session(app, staff_login)
    assert stolen.get("/admin/").status_code == 200

    staff_login.post("/logga-ut", data={"csrf_token": form_csrf_token(staff_login, "/admin/")})

    response = stolen.get("/admin/kontakter/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/logga-in?next=")


def test_logout_ends_the_sessions_on_other_computers_too(app, client, staff_user):
    computers = []
    for _ in range(2):
        computer = app.test_client()
        computer.environ_base.update(client.environ_base)
        log_in(computer, staff_user.email)
        assert computer.get("/admin/").status_code == 200
        computers.append(computer)

    computers[0].post("/logga-ut", data={"csrf_token": form_csrf_token(computers[0], "/admin/")})

    assert [c.get("/admin/").status_code for c in computers] == [302, 302]


def test_new_password_ends_other_sessions_and_keeps_this_one(app, staff_login, staff_user):
    other = copy_of_session(app, staff_login)
    url = "/konto/losenord"
    wrong = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url),
                                        "current_password": "inte-rätt-alls", "new_password": NEW_PASSWORD,
                                        "repeat_password": NEW_PASSWORD})
    assert "Det är inte ditt nuvarande lösenord." in wrong.get_data(as_text=True)
    assert other.get("/admin/").status_code == 200  # nothing changed yet

    response = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url),
                                           "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                           "repeat_password": NEW_PASSWORD}, follow_redirects=True)

    assert "Lösenordet är bytt. Du är utloggad på alla andra datorer och telefoner." in response.get_data(as_text=True)
    assert staff_login.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 302
    assert authenticate(staff_user.email, NEW_PASSWORD) is not None
    assert authenticate(staff_user.email, TEST_PASSWORD) is None


def test_new_password_must_be_long_enough_and_typed_twice(staff_login):
    url = "/konto/losenord"
    short = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url),
                                        "current_password": TEST_PASSWORD, "new_password": "kort",
                                        "repeat_password": "kort"}).get_data(as_text=True)
    assert "Lösenordet måste ha minst 10 tecken." in short
    mismatch = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url),
                                           "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                           "repeat_password": NEW_PASSWORD + "x"}).get_data(as_text=True)
    assert "Lösenorden är inte likadana." in mismatch
    assert staff_login.get("/admin/").status_code == 200


def test_password_reset_from_the_command_line_ends_every_session(app, runner, staff_login, staff_user):
    result = runner.invoke(args=["hti", "set-staff-password", "PERSONAL@spf.example", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Lösenordet för personal@spf.example är bytt." in result.output
    assert staff_login.get("/admin/").status_code == 302
    unknown = runner.invoke(args=["hti", "set-staff-password", "ingen@spf.example", "--password-stdin"],
                            input=NEW_PASSWORD + "\n")
    assert unknown.exit_code == 1 and "Det finns inget personalkonto för ingen@spf.example." in unknown.output


def test_a_session_from_before_session_versions_must_log_in_again(app, client, staff_user):
    with client.session_transaction() as session:
        session["_user_id"] = str(staff_user.id)  # what Flask-Login kept before "<id>:<version>"
        session["_fresh"] = True
    assert client.get("/admin/").status_code == 302
