"""'Glömt lösenordet?': a short-lived, single-use link by email, the same answer for every address."""
import re
from datetime import timedelta

from hti_comms import clock
from hti_comms.auth.services import authenticate, check_password
from hti_comms.delivery.worker import deliver_due
from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token

FORGOTTEN = "/logga-in/glomt-losenord"
NEW_PASSWORD = "ett-nytt-långt-lösenord"


def ask_for_link(client, email):
    return client.post(FORGOTTEN, data={"csrf_token": form_csrf_token(client, FORGOTTEN), "email": email})


def reset_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https://hti\.example\.se(/logga-in/nytt-losenord/\S+)", text).group(1)


def set_password(client, path, password=NEW_PASSWORD, repeat=None, form_page=None):
    token = form_csrf_token(client, form_page or path)
    return client.post(path, data={"csrf_token": token, "new_password": password,
                                   "repeat_password": password if repeat is None else repeat})


def test_login_page_links_to_the_forgotten_password_form(client):
    html = client.get("/logga-in").get_data(as_text=True)
    assert '<a href="/logga-in/glomt-losenord">Glömt lösenordet?</a>' in html
    assert "<h1>Glömt lösenordet?</h1>" in client.get(FORGOTTEN).get_data(as_text=True)


def test_the_link_sets_a_new_password_once(client, db, staff_user, mail_sink):
    answer = ask_for_link(client, "Personal@SPF.example ")
    assert answer.status_code == 200
    assert "Om <strong class=\"address\">Personal@SPF.example</strong> hör till ett personalkonto" in \
        answer.get_data(as_text=True)
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Nytt lösenord till Hemtjänstindex"
    assert mail_sink.envelopes[0][1] == ["personal@spf.example"]
    text = message.get_body(("plain",)).get_content()
    assert "Länken gäller i 30 minuter och fungerar en gång." in text
    path = reset_path(message)

    page = client.get(path).get_data(as_text=True)
    assert "<h1>Välj ett nytt lösenord</h1>" in page and "personal@spf.example" in page
    mismatch = set_password(client, path, repeat="något-annat-lösenord")
    assert "Lösenorden är inte likadana." in mismatch.get_data(as_text=True)
    short = set_password(client, path, password="kort")
    assert "Lösenordet måste ha minst 10 tecken." in short.get_data(as_text=True)

    done = set_password(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/logga-in"
    db.session.refresh(staff_user)
    assert check_password(staff_user, NEW_PASSWORD) and not check_password(staff_user, TEST_PASSWORD)
    assert authenticate("personal@spf.example", NEW_PASSWORD) is not None

    # Single use: the password it was made for is gone, so the link is too.
    used = client.get(path)
    assert used.status_code == 400 and "Länken fungerar inte" in used.get_data(as_text=True)
    assert set_password(client, path, password="ett-tredje-lösenord", form_page="/logga-in").status_code == 400
    db.session.refresh(staff_user)
    assert check_password(staff_user, NEW_PASSWORD)


def test_the_link_expires_after_thirty_minutes(client, db, staff_user, mail_sink):
    ask_for_link(client, staff_user.email)
    deliver_due()
    path = reset_path(mail_sink.wait_for(1)[0])
    clock.set_now(clock.now() + timedelta(minutes=29))
    assert client.get(path).status_code == 200
    clock.set_now(clock.now() + timedelta(minutes=2))
    expired = client.get(path)
    assert expired.status_code == 400 and "gäller i 30 minuter" in expired.get_data(as_text=True)
    assert set_password(client, path, form_page="/logga-in").status_code == 400
    db.session.refresh(staff_user)
    assert check_password(staff_user, TEST_PASSWORD)


def test_a_password_changed_another_way_ends_the_link(client, db, staff_user, mail_sink):
    from hti_comms.auth.services import change_password

    ask_for_link(client, staff_user.email)
    deliver_due()
    path = reset_path(mail_sink.wait_for(1)[0])
    change_password(staff_user, "bytt-på-annat-sätt")
    assert client.get(path).status_code == 400


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, db, staff_user, mail_sink):
    def page_for(address):
        html = ask_for_link(client, address).get_data(as_text=True)
        return re.sub(r'<input id="csrf_token"[^>]*>|<strong class="address">[^<]*</strong>', "", html)

    known, unknown, invalid = page_for("personal@spf.example"), page_for("ingen@spf.example"), page_for("inte-en-adress")
    assert known == unknown == invalid
    assert deliver_due() == 1  # only the real account got an email
    assert mail_sink.envelopes[0][1] == ["personal@spf.example"]


def test_asking_for_links_is_rate_limited_per_address_and_per_account(app, client, staff_user):
    app.config["PASSWORD_RESET_RATE_LIMIT"] = "2 per hour"
    assert [ask_for_link(client, staff_user.email).status_code for _ in range(3)] == [200, 200, 429]
    other = app.test_client()
    other.environ_base.update(client.environ_base)
    other.environ_base["REMOTE_ADDR"] = "192.0.2.99"
    blocked = ask_for_link(other, staff_user.email)  # another computer, the same account
    assert blocked.status_code == 429 and "För många försök" in blocked.get_data(as_text=True)


def test_a_tampered_link_is_refused(client, staff_user):
    from hti_comms.auth.reset import reset_token

    token = reset_token(staff_user)
    assert client.get(f"/logga-in/nytt-losenord/{token[:-2]}xx").status_code == 400
    assert client.get(f"/logga-in/nytt-losenord/{token}").status_code == 200


def test_a_colleague_cannot_use_the_link_from_the_outbox_preview(app, db, staff_login, mail_sink):
    """Staff see every send in the outbox; the preview must not hand them a colleague's reset link."""
    from hti_comms.auth.reset import send_reset_link
    from hti_comms.auth.services import create_staff
    from hti_comms.delivery.models import Send

    create_staff("kollega@spf.example", "kollegans-långa-lösenord", name="Kollega")
    db.session.commit()
    send_reset_link("kollega@spf.example")  # what the form does for the colleague
    send = db.session.query(Send).filter_by(kind="password_reset").one()
    for url in (f"/admin/utkorg/{send.id}/brevet", f"/admin/utkorg/{send.id}/brevet.html"):
        page = staff_login.get(url).get_data(as_text=True)
        assert "personlig länk, visas inte här" in page
        assert "/logga-in/nytt-losenord/" not in page
    assert deliver_due() == 1  # the colleague still gets the real link
    [message] = mail_sink.wait_for(1)
    assert client_can_open(app, reset_path(message))


def client_can_open(app, path) -> bool:
    return app.test_client().get(path).status_code == 200
