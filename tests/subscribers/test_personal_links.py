"""Links in emails: an opaque key instead of the address, expiry, fresh links to the address on file, the data
export as a short-lived emailed link to a readable page, old links after an address change, erasure, upgrade."""
import base64
import json
import re
from datetime import timedelta

from sqlalchemy import select

from hti_comms.delivery.owner import Owner
from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage
from hti_comms.delivery.outbox import EmailSpec, enqueue
from hti_comms.delivery.worker import deliver_due
from hti_comms.links import preferences_url, unsubscribe_url
from hti_comms.subscribers.audiences import Criteria, recipients
from hti_comms.subscribers.directory import ContactDetails, update_contact
from hti_comms.subscribers.gdpr import erase_contact
from hti_comms.subscribers.models import ConsentEvent, ConsentSource, Contact, ContactStatus
from hti_comms.tokens import make_token
from tests.helpers import form_csrf_token

BASE = "https://hti.example.se"
ADDRESS = "eva.ek@exempel.se"


def path(url: str) -> str:
    assert url.startswith(BASE), url
    return url[len(BASE):]


def fresh(db, email=ADDRESS):
    db.session.expire_all()
    return db.session.scalar(select(Contact).where(Contact.email == email))


def links_in(message) -> list[str]:
    text = message.get_body(("plain",)).get_content()
    return re.findall(r"https://hti\.example\.se/\S+", text)


def send_newsletter(db, mail_sink, count=1):
    enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nyhetsbrev #13", context={"sent_by": "Karin", "note": ""},
                      kind="newsletter", list_key="nyhetsbrev"), recipients(Criteria(list_keys=("nyhetsbrev",))))
    db.session.commit()
    deliver_due()
    return mail_sink.wait_for(count)[-1]


def payload_texts(url: str) -> str:
    """Return what anyone can read in a signed token without the key (its base64 payload)."""
    payload = url.rsplit("/", 1)[1].split(".")[0]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8", "replace")


def test_links_in_a_sent_email_name_an_opaque_key_not_the_address(db, make_contact, mail_sink):
    contact = make_contact(ADDRESS, list_keys=("nyhetsbrev",))
    message = send_newsletter(db, mail_sink)
    header = message["List-Unsubscribe"].strip("<>")
    # Every personal link; the footer's link to the privacy page is the same for everyone.
    urls = [header, *(url for url in links_in(message) if "/installningar/" in url or "/avregistrera/" in url)]
    assert any("/installningar/" in url for url in urls) and any("/avregistrera/" in url for url in urls)
    for url in urls:
        readable = payload_texts(url)
        assert ADDRESS not in readable and "@" not in readable
        assert contact.link_key in readable


def test_an_old_preference_link_has_expired_and_offers_a_fresh_one_by_email(client, db, make_contact, mail_sink):
    contact = make_contact(ADDRESS, name="Eva Ek")
    old_link = path(preferences_url(contact.link_key))
    clock.set_now(clock.now() + timedelta(days=400))

    page = client.get(old_link)
    html = page.get_data(as_text=True)
    assert page.status_code == 410 and "Länken har gått ut" in html
    assert ADDRESS not in html and "Eva Ek" not in html  # nothing about the person to whoever holds the link
    assert client.post(old_link + "/mina-uppgifter",
                       data={"csrf_token": form_csrf_token(client, old_link)}).status_code == 410

    sent = client.post(old_link + "/ny-lank", data={"csrf_token": form_csrf_token(client, old_link)})
    assert "Vi har skickat en ny länk" in sent.get_data(as_text=True)
    deliver_due()
    [message] = mail_sink.wait_for(1)
    assert mail_sink.envelopes[0][1] == [ADDRESS]  # to the address on file, never to whoever clicked
    [new_link] = [url for url in links_in(message) if "/installningar/" in url]
    assert "Dina val för e-post om Hemtjänstindex" in client.get(path(new_link)).get_data(as_text=True)


def test_preference_links_work_for_ninety_days(client, make_contact):
    contact = make_contact(ADDRESS)
    link = path(preferences_url(contact.link_key))
    clock.set_now(clock.now() + timedelta(days=89))
    assert client.get(link).status_code == 200
    clock.set_now(clock.now() + timedelta(days=2))
    assert client.get(link).status_code == 410


def test_unsubscribe_links_keep_working_for_years(app, db, make_contact):
    contact = make_contact(ADDRESS, list_keys=("nyhetsbrev", "kurser"))
    link = path(unsubscribe_url(contact.link_key, "kurser"))
    clock.set_now(clock.now() + timedelta(days=3 * 365))
    response = app.test_client(use_cookies=False).post(link, base_url=BASE)
    assert response.status_code == 200
    assert fresh(db).list_keys == {"nyhetsbrev"}


def test_my_data_goes_as_a_short_lived_link_to_a_readable_page(client, db, make_contact, mail_sink):
    contact = make_contact(ADDRESS, name="Eva Ek")
    db.session.add(ConsentEvent(contact=contact, action=contact.consent_events[0].action, source=ConsentSource.FORM,
                                ip_address="192.0.2.44", list_keys=["nyhetsbrev"], created_at=clock.now()))
    db.session.commit()
    preferences = path(preferences_url(contact.link_key))

    response = client.post(preferences + "/mina-uppgifter", data={"csrf_token": form_csrf_token(client, preferences)},
                           follow_redirects=True)

    assert response.mimetype == "text/html" and "Content-Disposition" not in response.headers
    assert "Vi har skickat en länk till din e-postadress. Öppna den inom en timme" in response.get_data(as_text=True)
    deliver_due()
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Dina sparade uppgifter hos Hemtjänstindex"
    assert mail_sink.envelopes[0][1] == [ADDRESS]
    [link] = [path(url) for url in links_in(message) if "/mina-uppgifter/" in url]

    page = client.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Dina uppgifter hos Hemtjänstindex</h1>" in html
    assert "<h2>Kontakt</h2>" in html and "<dt>Namn</dt><dd>Eva Ek</dd>" in html
    assert "<dt>Ip-adress</dt><dd>192.0.2.44</dd>" in html
    assert "<h2>Skickat till dig</h2>" in html and "Dina sparade uppgifter hos Hemtjänstindex" in html
    assert re.search(r"<dt>Skapad</dt><dd>\w+dag \d+ \w+ \d{4} kl\. \d\d\.\d\d</dd>", html)  # Stockholm time, Swedish
    assert "+00:00" not in html

    download = client.get(link + "/fil")
    assert download.mimetype == "application/json" and "attachment" in download.headers["Content-Disposition"]
    history = json.loads(download.get_data(as_text=True))["samtyckeshistorik"]
    assert [event["ip-adress"] for event in history] == [None, "192.0.2.44"]

    clock.set_now(clock.now() + timedelta(minutes=61))
    expired = client.get(link)
    assert expired.status_code == 410 and "192.0.2.44" not in expired.get_data(as_text=True)
    assert client.get(link + "/fil").status_code == 410
    client.post(link + "/ny-lank", data={"csrf_token": form_csrf_token(client, preferences)})
    deliver_due()
    assert mail_sink.wait_for(2)[-1]["Subject"] == "Dina sparade uppgifter hos Hemtjänstindex"


def test_a_changed_address_ends_every_link_sent_to_the_old_one(app, client, db, make_contact):
    contact = make_contact(ADDRESS, list_keys=("nyhetsbrev",))
    old_key = contact.link_key
    old_preferences = path(preferences_url(old_key))
    old_unsubscribe = path(unsubscribe_url(old_key, None))

    update_contact(contact, ContactDetails("eva.ny@exempel.se", "Eva Ek", "", ["nyhetsbrev"]), actor="test")

    moved = fresh(db, "eva.ny@exempel.se")
    assert moved.link_key != old_key
    gone = client.get(old_preferences)
    assert gone.status_code == 404 and "Länken gäller inte längre" in gone.get_data(as_text=True)
    assert "eva.ny@exempel.se" not in gone.get_data(as_text=True)
    assert client.get(old_unsubscribe).status_code == 404
    app.test_client(use_cookies=False).post(old_unsubscribe, base_url=BASE)
    assert fresh(db, "eva.ny@exempel.se").status is ContactStatus.CONFIRMED  # the old link stopped nothing
    assert client.get(path(preferences_url(moved.link_key))).status_code == 200


def test_erasure_ends_every_link(client, db, make_contact):
    contact = make_contact(ADDRESS)
    link = path(preferences_url(contact.link_key))
    erase_contact(contact, erased_by="test")
    assert client.get(link).status_code == 404
    make_contact(ADDRESS)  # the same address signs up again: a new person as far as old links go
    assert client.get(link).status_code == 404


def test_mail_queued_before_a_send_carries_the_recipients_key(db, make_contact):
    contact = make_contact(ADDRESS, list_keys=("nyhetsbrev",))
    enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nyhetsbrev", context={"sent_by": "K", "note": ""},
                      kind="newsletter", list_key="nyhetsbrev"), recipients(Criteria(list_keys=("nyhetsbrev",))))
    db.session.commit()
    assert db.session.scalar(select(OutboxMessage.link_key)) == contact.link_key


def test_unsubscribe_links_mailed_before_link_keys_work_for_a_transition(app, client, db, make_contact, mail_sink):
    make_contact(ADDRESS, list_keys=("nyhetsbrev", "kurser"))
    old_unsubscribe = "/avregistrera/" + make_token("unsubscribe", {"e": ADDRESS, "l": "kurser"})
    old_preferences = "/installningar/" + make_token("preferences", {"e": ADDRESS})

    clock.set_now(clock.now() + timedelta(days=100))
    assert "Avsluta ”Kurser och webbinarier”" in client.get(old_unsubscribe).get_data(as_text=True)
    assert app.test_client(use_cookies=False).post(old_unsubscribe, base_url=BASE).status_code == 200
    assert fresh(db).list_keys == {"nyhetsbrev"}
    # An old preference link never opens the page (it could show everything); it offers a fresh link instead.
    page = client.get(old_preferences)
    assert page.status_code == 410 and ADDRESS not in page.get_data(as_text=True)
    client.post(old_preferences + "/ny-lank", data={"csrf_token": form_csrf_token(client, old_preferences)})
    deliver_due()
    assert mail_sink.wait_for(1)[0]["Subject"] == "Din länk för att ändra dina val"

    clock.set_now(clock.now() + timedelta(days=81))
    assert client.get(old_unsubscribe).status_code == 404  # past the transition: no longer valid


def test_emailing_fresh_links_is_rate_limited(app, client, make_contact):
    contact = make_contact(ADDRESS)
    app.config["LINK_EMAIL_RATE_LIMIT"] = "2 per hour"
    link = path(preferences_url(contact.link_key))
    token = form_csrf_token(client, link)
    codes = [client.post(link + "/mina-uppgifter", data={"csrf_token": token}).status_code for _ in range(3)]
    assert codes == [302, 302, 429]


def test_the_unsubscribed_page_hands_out_no_preference_link_but_can_email_one(client, db, make_contact, mail_sink):
    contact = make_contact(ADDRESS, list_keys=("nyhetsbrev", "kurser"))
    link = path(unsubscribe_url(contact.link_key, "kurser"))
    # An unsubscribe link never expires; if its page gave out a preference link, that would never expire either.
    done = client.post(link).get_data(as_text=True)
    assert "Klart – du är avregistrerad" in done and "/installningar/" not in done

    token = re.search(r'name="csrf_token" value="([^"]+)"', done).group(1)
    sent = client.post(link + "/ny-lank", data={"csrf_token": token})
    assert "Vi har skickat en ny länk" in sent.get_data(as_text=True)
    deliver_due()
    [message] = mail_sink.wait_for(1)
    assert mail_sink.envelopes[0][1] == [ADDRESS] and message["Subject"] == "Din länk för att ändra dina val"
