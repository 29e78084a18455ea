"""A contact's channel and postal address on the staff contact page: `brev` needs no email address, but a postal
address; bad values get a Swedish message naming the field and nothing is saved."""
from __future__ import annotations

from sqlalchemy import select

from hti_comms.subscribers.models import Channel, Contact
from tests.helpers import form_csrf_token

CONTACTS = "/admin/kontakter/"


def _new(client, **fields):
    url = CONTACTS + "ny"
    data = {"csrf_token": form_csrf_token(client, url), "name": "Greta Brevsson", "email": "", "lists": ["nyhetsbrev"],
            "legal_basis": "consent_given", "role": "", "municipality": "", "association": "", "channel": "brev",
            "postal_name": "", "street_address": "Storgatan 1", "postcode": "12345", "town": "Småstad", **fields}
    return client.post(url, data=data)


def test_a_contact_with_the_channel_brev_and_no_email_is_valid(staff_login, db, lists):
    response = _new(staff_login)
    assert response.status_code == 302
    contact = db.session.scalars(select(Contact)).one()
    assert contact.email is None and contact.channel is Channel.LETTER
    assert (contact.street_address, contact.postcode, contact.town) == ("Storgatan 1", "123 45", "Småstad")
    page = staff_login.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Storgatan 1"' in page and 'value="123 45"' in page and "Brev med posten" in page


def test_bad_postal_values_are_named_and_nothing_is_saved(staff_login, db, lists):
    page = _new(staff_login, postcode="1234").get_data(as_text=True)
    assert "postnummer: ”1234” är inget postnummer. Skriv fem siffror, till exempel 123 45." in page
    page = _new(staff_login, street_address="").get_data(as_text=True)
    assert "adress: fyll i adress – brev skickas med posten." in page
    page = _new(staff_login, channel="e-post").get_data(as_text=True)
    assert "e-postadress: skriv en e-postadress, eller välj brev som sätt att få utskick." in page
    assert db.session.scalars(select(Contact)).all() == []


def test_staff_change_a_contact_to_letters(staff_login, db, make_contact):
    contact = make_contact("eva@exempel.se")
    url = f"{CONTACTS}{contact.id}"
    staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "name": "Eva Ek", "email": "",
                                "phone": "", "lists": ["nyhetsbrev"], "channel": "brev", "postal_name": "Eva och Bo Ek",
                                "street_address": "Byvägen 7", "postcode": "555 66", "town": "Byn"})
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert contact.email is None and contact.channel is Channel.LETTER
    assert contact.address_lines == ["Eva och Bo Ek", "Byvägen 7", "555 66 Byn"]


def test_a_contact_with_letters_only_is_erased_by_typing_their_name(staff_login, db, lists):
    _new(staff_login)
    contact = db.session.scalars(select(Contact)).one()
    url = f"{CONTACTS}{contact.id}/radera"
    assert "Skriv Greta Brevsson för att bekräfta" in staff_login.get(url).get_data(as_text=True)
    wrong = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "confirm_email": "Greta"})
    assert "Skriv kontaktens e-postadress exakt" in wrong.get_data(as_text=True)
    done = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url),
                                       "confirm_email": "Greta Brevsson"}, follow_redirects=True)
    assert "Personen är raderad." in done.get_data(as_text=True)
    assert db.session.scalars(select(Contact)).all() == []
