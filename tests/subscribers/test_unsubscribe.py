"""One-click unsubscribe (RFC 8058) and the preference centre, through HTTP as mail clients and people use them."""
from sqlalchemy import select

from hti_comms.delivery.owner import Owner
from hti_comms.links import preferences_url, unsubscribe_url
from hti_comms.subscribers.models import ConsentAction, Contact, ContactStatus
from hti_comms.tokens import make_personal_token, new_subject_key
from tests.helpers import form_csrf_token

BASE = "https://hti.example.se"


def path(url: str) -> str:
    assert url.startswith(BASE)
    return url[len(BASE):]


def fresh(db, email):
    db.session.expire_all()
    return db.session.scalar(select(Contact).where(Contact.email == email))


def key_of(db, email):
    return fresh(db, email).link_key


def test_one_click_post_without_cookies_or_csrf_unsubscribes_at_once(app, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev", "kurser"))
    mail_client = app.test_client(use_cookies=False)
    response = mail_client.post(path(unsubscribe_url(contact.link_key, None)),
                                data={"List-Unsubscribe": "One-Click"}, base_url=BASE)
    assert response.status_code == 200
    assert "Klart – du är avregistrerad" in response.get_data(as_text=True)
    contact = fresh(db, "eva@exempel.se")
    assert contact.status is ContactStatus.UNSUBSCRIBED and contact.list_keys == set()
    assert contact.consent_events[0].action is ConsentAction.UNSUBSCRIBED
    assert contact.consent_events[0].source.value == "unsubscribe_link"


def test_one_click_for_one_list_keeps_the_others(app, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev", "kurser"))
    response = app.test_client(use_cookies=False).post(
        path(unsubscribe_url(contact.link_key, "kurser")), data={"List-Unsubscribe": "One-Click"}, base_url=BASE)
    assert response.status_code == 200
    assert "Du får inte fler utskick av ”Kurser och webbinarier”." in response.get_data(as_text=True)
    contact = fresh(db, "eva@exempel.se")
    assert contact.status is ContactStatus.CONFIRMED and contact.list_keys == {"nyhetsbrev"}


def test_get_shows_one_button_and_never_unsubscribes(client, db, make_contact):
    contact = make_contact("eva@exempel.se")
    for _ in range(3):  # link scanners may fetch the link several times
        page = client.get(path(unsubscribe_url(contact.link_key, "nyhetsbrev")))
        assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<button") == 1 and "Avsluta ”Hemtjänstindex nyhetsbrev”" in html
    assert fresh(db, "eva@exempel.se").list_keys == {"nyhetsbrev"}


def test_tampered_or_wrong_purpose_token_changes_nothing(client, db, make_contact):
    contact = make_contact("eva@exempel.se")
    good = path(unsubscribe_url(contact.link_key, None))
    for bad in (good[:-4] + "AAAA", "/avregistrera/" + make_personal_token("preferences", contact.link_key, None),
                "/avregistrera/inte-en-token"):
        for method in (client.get, client.post):
            response = method(bad)
            assert response.status_code == 400
            assert "Länken fungerar inte" in response.get_data(as_text=True)
    assert fresh(db, "eva@exempel.se").status is ContactStatus.CONFIRMED


def test_unsubscribe_for_nobody_answers_the_same(app, db, lists):
    response = app.test_client(use_cookies=False).post(path(unsubscribe_url(new_subject_key(), None)), base_url=BASE)
    assert response.status_code == 200 and "Klart – du är avregistrerad" in response.get_data(as_text=True)


def test_unsubscribe_rate_limit(app, db, make_contact):
    contact = make_contact("eva@exempel.se")
    app.config["UNSUBSCRIBE_RATE_LIMIT"] = "2 per minute"
    client = app.test_client(use_cookies=False)
    url = path(unsubscribe_url(contact.link_key, None))
    assert [client.post(url, base_url=BASE).status_code for _ in range(3)] == [200, 200, 429]


def test_preference_centre_changes_lists_name_and_roles(client, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev",))
    affiliation_id = contact.affiliations[0].id
    url = path(preferences_url(contact.link_key))
    page = client.get(url).get_data(as_text=True)
    assert "Dina val för e-post om Hemtjänstindex" in page and "Ledamot i pensionärsråd, Upplands Väsby" in page

    response = client.post(url, data={
        "csrf_token": form_csrf_token(client, url), "name": "Eva Ek", "lists": ["kurser", "lokala-resultat"],
        "keep": [], "role": "municipal_official", "municipality": "0180", "association": ""})

    assert response.status_code == 302
    assert "Dina val är sparade." in client.get(url).get_data(as_text=True)
    contact = fresh(db, "eva@exempel.se")
    assert contact.name == "Eva Ek"
    assert contact.list_keys == {"kurser", "lokala-resultat"}
    assert [a.describe() for a in contact.affiliations] == ["Tjänsteperson i kommunen, Stockholm"]
    assert contact.consent_events[0].action is ConsentAction.LISTS_CHANGED
    assert contact.consent_events[0].source.value == "preferences"
    assert affiliation_id not in [a.id for a in contact.affiliations]


def test_preference_centre_roles_are_kept_when_ticked_like_the_lists(client, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev", "kurser"))
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.services import add_affiliation, build_affiliation

    add_affiliation(contact, build_affiliation(place_from_choice("municipal_official", "Habo")))
    db.session.commit()
    council, official = [a.id for a in contact.affiliations]
    url = path(preferences_url(contact.link_key))
    page = client.get(url).get_data(as_text=True)
    # Both groups are ticked for what the person has, and say the same: a tick keeps, a cleared box removes.
    assert "<legend>Utskick du får</legend>" in page and "<legend>Uppdrag du har</legend>" in page
    assert "Ta bort krysset för det du inte vill ha längre." in page
    assert "Ta bort krysset för ett uppdrag du inte har längre." in page
    assert f'<input checked id="keep-0" name="keep" type="checkbox" value="{council}">' in page
    assert f'<input checked id="keep-1" name="keep" type="checkbox" value="{official}">' in page
    assert "inte längre stämmer" not in page

    # Saving without touching anything keeps everything.
    client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Eva", "lists": ["nyhetsbrev", "kurser"],
                           "keep": [str(council), str(official)], "role": "", "municipality": "", "association": ""})
    assert len(fresh(db, "eva@exempel.se").affiliations) == 2
    # Clearing one box removes that role only.
    client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Eva", "lists": ["nyhetsbrev", "kurser"],
                           "keep": [str(official)], "role": "", "municipality": "", "association": ""})
    assert [a.id for a in fresh(db, "eva@exempel.se").affiliations] == [official]


def test_preference_centre_leave_everything_and_come_back(client, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev",))
    url = path(preferences_url(contact.link_key))
    client.post(url + "/avsluta", data={"csrf_token": form_csrf_token(client, url)})
    contact = fresh(db, "eva@exempel.se")
    assert contact.status is ContactStatus.UNSUBSCRIBED and contact.list_keys == set()
    page = client.get(url).get_data(as_text=True)
    assert "Du får inga utskick just nu." in page

    client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Eva", "lists": ["kurser"],
                           "role": "", "municipality": "", "association": ""})
    contact = fresh(db, "eva@exempel.se")
    assert contact.status is ContactStatus.CONFIRMED and contact.list_keys == {"kurser"}


def test_preference_links_that_are_tampered_or_for_nobody(client, db, lists):
    assert client.get("/installningar/trasig").status_code == 400
    gone = client.get(path(preferences_url(new_subject_key())))
    assert gone.status_code == 404 and "Länken gäller inte längre" in gone.get_data(as_text=True)


def test_unsubscribing_in_the_middle_of_a_send_stops_mail_still_queued(app, db, make_contact, mail_sink):
    from hti_comms.delivery.outbox import EmailSpec, enqueue
    from hti_comms.delivery.worker import deliver_due
    from hti_comms.subscribers.audiences import Criteria, recipients

    make_contact("eva@exempel.se", list_keys=("nyhetsbrev", "kurser"))
    make_contact("olle@exempel.se", list_keys=("nyhetsbrev",))
    spec = EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nyhetsbrev #13", context={"sent_by": "Karin", "note": ""},
                     kind="newsletter", list_key="nyhetsbrev")
    enqueue(spec, recipients(Criteria(list_keys=("nyhetsbrev",))))
    course = EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Grundkurs", context={"sent_by": "Karin", "note": ""},
                       kind="invitation", list_key="kurser")
    enqueue(course, recipients(Criteria(list_keys=("kurser",))))
    db.session.commit()

    app.test_client(use_cookies=False).post(path(unsubscribe_url(key_of(db, "eva@exempel.se"), "nyhetsbrev")),
                                            base_url=BASE)

    assert deliver_due() == 2
    delivered = sorted((to, m["Subject"]) for m, (_from, (to,)) in zip(mail_sink.wait_for(2), mail_sink.envelopes))
    assert delivered == [("eva@exempel.se", "Grundkurs"), ("olle@exempel.se", "Nyhetsbrev #13")]


def test_list_unsubscribe_header_of_real_list_mail_works_with_one_click(app, db, make_contact, mail_sink):
    from hti_comms.delivery.outbox import EmailSpec, enqueue
    from hti_comms.delivery.worker import deliver_due
    from hti_comms.subscribers.audiences import Criteria, recipients

    make_contact("eva@exempel.se", list_keys=("nyhetsbrev", "kurser"))
    enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nyhetsbrev #13", context={"sent_by": "Karin", "note": ""},
                      kind="newsletter", list_key="nyhetsbrev"), recipients(Criteria(list_keys=("nyhetsbrev",))))
    db.session.commit()
    deliver_due()
    [message] = mail_sink.wait_for(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = message["List-Unsubscribe"].strip("<>").split(">")[0]
    footer_preferences = next(line for line in message.get_body(("plain",)).get_content().splitlines()
                              if "/installningar/" in line).strip()

    response = app.test_client(use_cookies=False).post(path(header_url), data="List-Unsubscribe=One-Click",
                                                       content_type="application/x-www-form-urlencoded",
                                                       base_url=BASE)

    assert response.status_code == 200
    assert fresh(db, "eva@exempel.se").list_keys == {"kurser"}
    assert "Dina val för e-post om Hemtjänstindex" in app.test_client().get(path(footer_preferences),
                                                                             base_url=BASE).get_data(as_text=True)


def test_preference_centre_shows_a_new_role_s_problems_beside_the_fields(client, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev",))
    url = path(preferences_url(contact.link_key))
    html = client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Eva", "lists": ["nyhetsbrev"],
                                  "keep": [str(contact.affiliations[0].id)], "role": "association_chair",
                                  "municipality": "Atlantis", "association": ""}).get_data(as_text=True)
    assert "2 saker behöver rättas" in html
    assert 'id="municipality-error"' in html and 'id="association-error"' in html
    assert len(fresh(db, "eva@exempel.se").affiliations) == 1
