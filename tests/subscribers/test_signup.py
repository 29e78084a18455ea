import re

from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.subscribers.models import ConsentAction, ConsentEvent, Contact, ContactStatus
from hti_comms.subscribers.confirmation import confirmation_token
from hti_comms.tokens import make_token
from tests.helpers import form_csrf_token

SIGNUP = "/prenumerera"


def signup_data(client, **overrides):
    data = {"csrf_token": form_csrf_token(client, SIGNUP), "name": "Birgitta Berg",
            "email": "Birgitta.Berg@Exempel.se ", "role": "council_member:seniorrad", "municipality": "Habo",
            "association": "", "lists": ["nyhetsbrev", "kurser"], "consent": "y", "consent_version": "2026-11",
            "website": ""}
    data.update(overrides)
    return data


def contact_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Contact))


def test_signup_page_is_swedish_with_datalist_and_consent_text(client, lists):
    html = client.get(SIGNUP).get_data(as_text=True)
    assert "Få e-post om Hemtjänstindex" in html
    assert '<datalist id="kommuner">' in html and '<option value="Upplands Väsby">' in html
    assert html.count("<option value=") >= 290
    assert "Jag kan när som helst avsluta via länken" in html
    assert 'name="website"' in html  # the honeypot


def test_signup_stores_pending_contact_with_consent_record(client, db, lists):
    response = client.post(SIGNUP, data=signup_data(client), environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/prenumerera/tack")

    contact = db.session.scalar(select(Contact))
    assert contact.email == "birgitta.berg@exempel.se"
    assert contact.status is ContactStatus.PENDING
    assert contact.list_keys == {"nyhetsbrev", "kurser"}
    [affiliation] = contact.affiliations
    assert affiliation.describe() == "Ledamot i seniorråd, Habo"
    [event] = contact.consent_events
    assert (event.action, event.source.value, event.text_version, event.ip_address) == \
        (ConsentAction.SIGNED_UP, "form", "2026-11", "192.0.2.7")
    assert "Titta nu i din e-post" in client.get("/prenumerera/tack").get_data(as_text=True)


def test_confirmation_link_shows_a_button_and_the_button_confirms(client, db, lists):
    client.post(SIGNUP, data=signup_data(client))
    contact = db.session.scalar(select(Contact))
    url = f"/bekrafta/{confirmation_token(contact.link_key)}"
    page = client.get(url).get_data(as_text=True)
    assert "Bekräfta din anmälan" in page and ">Bekräfta</button>" in page and "Kurser och webbinarier" in page
    db.session.refresh(contact)
    assert contact.status is ContactStatus.PENDING  # opening the link changes nothing

    done = client.post(url, data={"csrf_token": form_csrf_token(client, url)}).get_data(as_text=True)
    assert "Tack, nu är du anmäld!" in done and "Kurser och webbinarier" in done
    db.session.refresh(contact)
    assert contact.status is ContactStatus.CONFIRMED and contact.confirmed_at is not None
    assert [e.action for e in contact.consent_events][0] is ConsentAction.CONFIRMED
    again = client.get(url).get_data(as_text=True)
    assert "Du är redan anmäld" in again


def test_mail_scanners_that_open_links_confirm_nothing(client, db, lists):
    """Security scanners GET and HEAD every link in an email, often twice, without cookies; some POST too."""
    client.post(SIGNUP, data=signup_data(client))
    contact = db.session.scalar(select(Contact))
    url = f"/bekrafta/{confirmation_token(contact.link_key)}"
    scanner = client.application.test_client()  # no cookies, no CSRF token
    for _ in range(2):
        assert scanner.head(url).status_code == 200
        assert scanner.get(url).status_code == 200
    forged = scanner.post(url)
    assert forged.status_code == 400 and "Formuläret har gått ut" in forged.get_data(as_text=True)
    db.session.refresh(contact)
    assert contact.status is ContactStatus.PENDING and contact.confirmed_at is None
    assert [e.action for e in contact.consent_events] == [ConsentAction.SIGNED_UP]


def test_expired_and_tampered_confirmation_links_change_nothing(client, db, lists):
    client.post(SIGNUP, data=signup_data(client))
    contact = db.session.scalar(select(Contact))
    token = confirmation_token(contact.link_key)

    tampered = client.get(f"/bekrafta/{token[:-3]}abc")
    assert tampered.status_code == 400 and "Länken fungerar inte" in tampered.get_data(as_text=True)
    tampered_post = client.post(f"/bekrafta/{token[:-3]}abc",
                                data={"csrf_token": form_csrf_token(client, SIGNUP)})
    assert tampered_post.status_code == 400
    wrong_purpose = client.get(f"/bekrafta/{make_token('preferences', {'e': contact.email, 'c': contact.id})}")
    assert wrong_purpose.status_code == 400

    clock.set_now(clock.now() + __import__("datetime").timedelta(days=8))
    expired = client.get(f"/bekrafta/{token}")
    assert expired.status_code == 400 and "Länken har gått ut" in expired.get_data(as_text=True)
    db.session.refresh(contact)
    assert contact.status is ContactStatus.PENDING


def test_same_answer_whether_or_not_the_address_is_known(client, db, make_contact):
    make_contact("known@exempel.se")
    known = client.post(SIGNUP, data=signup_data(client, email="known@exempel.se"))
    unknown = client.post(SIGNUP, data=signup_data(client, email="unknown@exempel.se"))
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    known_contact = db.session.scalar(select(Contact).where(Contact.email == "known@exempel.se"))
    assert known_contact.status is ContactStatus.CONFIRMED
    assert known_contact.list_keys == {"nyhetsbrev"}  # a stranger cannot change a confirmed person's lists


def test_honeypot_saves_nothing_but_looks_the_same(client, db, lists):
    response = client.post(SIGNUP, data=signup_data(client, website="http://spam.example"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/prenumerera/tack")
    assert contact_count(db) == 0


def test_invalid_input_gets_swedish_messages_and_saves_nothing(client, db, lists):
    too_long = client.post(SIGNUP, data=signup_data(client, name="x" * 121, email="inte-en-adress",
                                                    municipality="Atlantis", lists=[], consent=""))
    html = too_long.get_data(as_text=True)
    assert too_long.status_code == 200
    assert "Högst 120 tecken." in html
    assert "Skriv en hel e-postadress" in html
    assert "Välj minst ett utskick." in html
    assert "Du behöver kryssa i rutan" in html
    unknown_place = client.post(SIGNUP, data=signup_data(client, municipality="Atlantis"))
    assert "Kommunen ”Atlantis” finns inte" in unknown_place.get_data(as_text=True)
    association = client.post(SIGNUP, data=signup_data(client, role="association_chair", municipality="Solna"))
    assert "Föreningens namn saknas." in association.get_data(as_text=True)
    assert contact_count(db) == 0


def test_district_role_takes_the_district_of_the_municipality(client, db, lists):
    client.post(SIGNUP, data=signup_data(client, role="district_chair", municipality="Borås"))
    [affiliation] = db.session.scalar(select(Contact)).affiliations
    assert affiliation.district.name == "SPF Seniorerna Västra Götaland"
    assert affiliation.municipality_code is None


def test_rate_limit_answers_429_in_swedish(client, app, db, lists):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    for number in range(3):
        assert client.post(SIGNUP, data=signup_data(client, email=f"p{number}@exempel.se")).status_code == 302
    blocked = client.post(SIGNUP, data=signup_data(client, email="p4@exempel.se"))
    assert blocked.status_code == 429
    assert "För många försök" in blocked.get_data(as_text=True)
    assert client.get(SIGNUP).status_code == 200  # reading the form is never limited
    assert contact_count(db) == 3


def test_pending_address_signing_up_again_keeps_one_contact(client, db, lists):
    client.post(SIGNUP, data=signup_data(client))
    client.post(SIGNUP, data=signup_data(client, lists=["lokala-resultat"], name="Birgitta B"))
    assert contact_count(db) == 1
    contact = db.session.scalar(select(Contact))
    assert contact.name == "Birgitta B" and contact.list_keys == {"lokala-resultat"}
    assert db.session.scalar(select(func.count()).select_from(ConsentEvent)) == 2
    assert re.fullmatch(r"[^@]+@exempel\.se", contact.email)


def test_sign_up_email_from_the_smtp_sink_confirms_when_followed(client, db, lists, mail_sink):
    from hti_comms.delivery.worker import deliver_due

    client.post(SIGNUP, data=signup_data(client))
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert "birgitta.berg@exempel.se" in message["To"]
    assert message["Subject"] == "Bekräfta din anmälan till Hemtjänstindex"
    assert message["List-Unsubscribe"] is None  # a confirmation is not list mail
    text = message.get_body(("plain",)).get_content()
    assert "Hej Birgitta Berg!" in text and "Hemtjänstindex nyhetsbrev, Kurser och webbinarier" in text
    url = re.search(r"https://hti\.example\.se(/bekrafta/\S+)", text).group(1)
    html = message.get_body(("html",)).get_content()
    assert url in html

    assert ">Bekräfta</button>" in client.get(url).get_data(as_text=True)
    page = client.post(url, data={"csrf_token": form_csrf_token(client, url)}).get_data(as_text=True)

    assert "Tack, nu är du anmäld!" in page
    contact = db.session.scalar(select(Contact))
    assert contact.status is ContactStatus.CONFIRMED


def test_confirmed_address_signing_up_again_gets_a_notice_not_a_confirmation(client, db, make_contact, mail_sink):
    from hti_comms.delivery.worker import deliver_due

    make_contact("known@exempel.se", name="Karl Känd")
    client.post(SIGNUP, data=signup_data(client, email="KNOWN@exempel.se", lists=["nyhetsbrev"]))
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Du får redan e-post om Hemtjänstindex"
    text = message.get_body(("plain",)).get_content()
    assert "Hej Karl Känd!" in text and "Du får i dag: Hemtjänstindex nyhetsbrev." in text
    assert "https://hti.example.se/installningar/" in text and "/bekrafta/" not in text


def test_rate_limits_are_kept_in_redis_when_redis_url_is_set(migrated_database, lists):
    import uuid

    import redis

    from hti_comms import create_app
    from hti_comms.extensions import db as _db

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError:
        import pytest
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": migrated_database, "REDIS_URL": "redis://127.0.0.1:6379/0",
                      "SIGNUP_RATE_LIMIT": "1 per minute", "BASE_URL": "https://hti.example.se"})
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    with app.app_context():
        client = app.test_client()
        # A client address of its own, so that runs never see each other's counts in the shared Redis.
        address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/",
                                    "REMOTE_ADDR": address})
        try:
            assert client.post(SIGNUP, data=signup_data(client, website="robot")).status_code == 302
            assert client.post(SIGNUP, data=signup_data(client, website="robot")).status_code == 429
        finally:
            _db.session.remove()
            _db.engine.dispose()


# --- Walk-through fixes (issue 13): every error at once, limits that spare mistakes, the address repeated -------

def test_every_mistake_is_shown_at_once_with_the_place_problems_beside_their_fields(client, db, lists):
    response = client.post(SIGNUP, data=signup_data(client, name="", role="association_chair",
                                                    municipality="Atlantis", association="", consent=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "4 saker behöver rättas" in html
    assert '<a href="#name">Ditt namn: Skriv ditt namn.</a>' in html
    assert '<a href="#municipality">Din kommun: Kommunen ”Atlantis” finns inte bland Sveriges 290 kommuner.</a>' in html
    assert '<a href="#association">' in html and "Föreningens namn saknas." in html
    # The consent label ends its own sentence: the summary adds no colon after its full stop (issue 17).
    assert ('<a href="#consent">Jag har läst texten ovan och vill få e-post från SPF Seniorerna. Du behöver kryssa '
            'i rutan för att vi ska få skicka e-post.</a>') in html
    assert ".: " not in html
    assert 'id="municipality" aria-describedby="municipality-hint municipality-error" aria-invalid="true"' in html \
        or ('aria-invalid="true"' in html and 'id="municipality-error"' in html)
    assert "Det gick inte" not in html  # no separate flash with only the first problem
    assert contact_count(db) == 0


def test_a_council_member_must_name_the_municipality(client, db, lists):
    response = client.post(SIGNUP, data=signup_data(client, municipality=""))
    html = response.get_data(as_text=True)
    assert "Kommun saknas för rollen" in html and 'id="municipality-error"' in html
    assert contact_count(db) == 0
    # SPF's own staff have no municipality; for them it may be left empty.
    assert client.post(SIGNUP, data=signup_data(client, role="spf_staff", municipality="")).status_code == 302


def test_required_fields_are_marked_in_words(client, lists):
    html = client.get(SIGNUP).get_data(as_text=True)
    for label in ("Ditt namn", "Din e-postadress", "Ditt uppdrag"):
        assert f'{label} <span class="required">(måste fyllas i)</span></label>' in html
    assert 'Din kommun <span class="required">(måste fyllas i för uppdrag i en kommun eller förening)</span>' in html
    assert '<span class="required">(välj minst ett)</span></legend>' in html
    assert '<span class="required">(måste kryssas i)</span></label>' in html
    for field_id in ("name", "email", "role", "consent"):
        assert re.search(rf'<(input|select)[^>]* id="{field_id}"[^>]* required', html), field_id
    assert not re.search(r'<input[^>]*name="lists"[^>]*required', html)  # one box of several, not each box


def test_mistakes_do_not_count_toward_the_sign_up_limit(client, app, db, lists):
    app.config["SIGNUP_RATE_LIMIT"] = "2 per minute"
    for _ in range(6):  # a person correcting mistakes, again and again
        assert client.post(SIGNUP, data=signup_data(client, municipality="Atlantis")).status_code == 200
    assert client.post(SIGNUP, data=signup_data(client, email="a@exempel.se")).status_code == 302
    assert client.post(SIGNUP, data=signup_data(client, email="b@exempel.se")).status_code == 302
    assert client.post(SIGNUP, data=signup_data(client, email="c@exempel.se")).status_code == 429
    assert contact_count(db) == 2


def test_too_many_tries_keeps_what_was_typed_and_says_how_long_to_wait(client, app, db, lists):
    app.config["SIGNUP_RATE_LIMIT"] = "1 per 10 minutes"
    assert client.post(SIGNUP, data=signup_data(client, email="first@exempel.se")).status_code == 302
    blocked = client.post(SIGNUP, data=signup_data(client, name="Greta Gran", email="greta@exempel.se",
                                                   municipality="Borås", lists=["kurser"]))
    html = blocked.get_data(as_text=True)
    assert blocked.status_code == 429
    assert "<h2 id=\"wait-title\">För många försök</h2>" in html
    wait = re.search(r"Vänta (\d+) minuter och tryck\s+sedan på ”Anmäl mig” igen", html)
    assert wait and 1 <= int(wait.group(1)) <= 10
    assert 'value="Greta Gran"' in html and 'value="greta@exempel.se"' in html and 'value="Borås"' in html
    assert re.search(r'<input checked id="lists-1" name="lists" type="checkbox" value="kurser">', html)
    assert re.search(r'<input id="lists-0" name="lists" type="checkbox" value="nyhetsbrev">', html)
    assert 'checked id="consent"' in html or re.search(r'id="consent"[^>]*checked', html)
    assert contact_count(db) == 1


def test_thank_you_page_repeats_the_address_typed(client, db, make_contact):
    make_contact("known@exempel.se")
    for address in ("known@exempel.se", "ny.person@exempel.se"):
        page = client.post(SIGNUP, data=signup_data(client, email=address), follow_redirects=True)
        html = page.get_data(as_text=True)
        assert f'Vi har skickat ett e-brev till <strong class="address">{address}</strong>' in html
        assert "Anmäl dig igen med rätt adress" in html
    # Opened without signing up, it names no address.
    fresh = client.application.test_client().get("/prenumerera/tack").get_data(as_text=True)
    assert "till adressen du angav" in fresh


def test_a_confirmed_subscriber_gets_a_new_list_after_confirming_by_email(client, db, make_contact, mail_sink):
    from hti_comms.delivery.worker import deliver_due

    make_contact("known@exempel.se", name="Karl Känd", list_keys=("nyhetsbrev",))
    answer = client.post(SIGNUP, data=signup_data(client, email="known@exempel.se", lists=["nyhetsbrev", "kurser"]))
    assert answer.headers["Location"].endswith("/prenumerera/tack")  # the same answer as for anyone
    assert contact_count(db) == 1
    contact = db.session.scalar(select(Contact))
    assert contact.list_keys == {"nyhetsbrev"}  # nothing changes before the owner of the address says yes

    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Bekräfta att du vill få fler utskick från Hemtjänstindex"
    text = message.get_body(("plain",)).get_content()
    assert "Du får i dag: Hemtjänstindex nyhetsbrev." in text
    assert "Vill du också få Kurser och webbinarier?" in text
    url = re.search(r"https://hti\.example\.se(/bekrafta/\S+)", text).group(1)

    page = client.get(url).get_data(as_text=True)
    assert "Bekräfta dina nya utskick" in page and "<li>Kurser och webbinarier</li>" in page
    db.session.refresh(contact)
    assert contact.list_keys == {"nyhetsbrev"}  # opening the link changes nothing
    done = client.post(url, data={"csrf_token": form_csrf_token(client, url)}).get_data(as_text=True)
    assert "Tack, nu får du fler utskick!" in done
    db.session.refresh(contact)
    assert contact.list_keys == {"nyhetsbrev", "kurser"} and contact.status is ContactStatus.CONFIRMED
    assert contact.consent_events[0].action is ConsentAction.LISTS_CHANGED
    assert contact.consent_events[0].source.value == "email_link"
    assert "Du är redan anmäld" in client.get(url).get_data(as_text=True)


def test_a_new_list_link_does_not_bring_back_someone_who_left(client, db, make_contact):
    from hti_comms.subscribers.services import leave_everything
    from hti_comms.subscribers.models import ConsentSource

    contact = make_contact("known@exempel.se", list_keys=("nyhetsbrev",))
    url = f"/bekrafta/{confirmation_token(contact.link_key, ['kurser'])}"
    leave_everything(contact, source=ConsentSource.PREFERENCES)
    assert client.get(url).status_code == 400
    client.post(url, data={"csrf_token": form_csrf_token(client, SIGNUP)})
    db.session.refresh(contact)
    assert contact.list_keys == set() and contact.status is ContactStatus.UNSUBSCRIBED


def test_the_confirmation_link_carries_no_address_and_dies_with_a_changed_one(client, db, lists):
    """Like every personal link it names the contact by an opaque key: nothing in it reads as the address, and
    when the address changes (a new key) the old link no longer confirms anything."""
    import base64

    client.post(SIGNUP, data=signup_data(client))
    contact = db.session.scalar(select(Contact))
    token = confirmation_token(contact.link_key)
    payload = token.split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert contact.email.split("@")[0] not in decoded and contact.link_key in decoded
    assert client.get(f"/bekrafta/{token}").status_code == 200
    contact.link_key = "ny-nyckel-efter-adressbyte"
    db.session.commit()
    changed = client.get(f"/bekrafta/{token}")
    assert changed.status_code == 400 and "Länken fungerar inte" in changed.get_data(as_text=True)


def test_signing_up_again_and_again_sends_one_email_within_the_hour(client, db, make_contact):
    """The same address posted again and again (pending or already confirmed) fills nobody's inbox."""
    from datetime import timedelta

    from hti_comms.delivery.models import OutboxMessage
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.signup import SignUpRequest, sign_up

    make_contact("known@exempel.se", name="Karl Känd")

    def emails_to(address: str) -> int:
        return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.email == address))

    for attempt in range(50):
        for address in ("ny@exempel.se", "known@exempel.se"):
            sign_up(SignUpRequest(name=f"Namn {attempt}", email=address, list_keys=["kurser"],
                                  place=place_from_choice("council_member:seniorrad", "Habo"), text_version="2026-11"))
    client.environ_base["REMOTE_ADDR"] = "192.0.2.201"
    assert client.post(SIGNUP, data=signup_data(client, email="ny@exempel.se")).status_code == 302
    assert (emails_to("ny@exempel.se"), emails_to("known@exempel.se")) == (1, 1)
    assert db.session.scalar(select(Contact).where(Contact.email == "ny@exempel.se")).name == "Birgitta Berg"
    clock.set_now(clock.now() + timedelta(minutes=60))
    assert client.post(SIGNUP, data=signup_data(client, email="ny@exempel.se")).status_code == 302
    client.post(SIGNUP, data=signup_data(client, email="known@exempel.se"))
    assert (emails_to("ny@exempel.se"), emails_to("known@exempel.se")) == (2, 2)
