"""Staff pages: search and filter, add and edit, history and mail sent, audiences with their live size."""
import re

from sqlalchemy import select

from hti_comms.delivery.worker import deliver_due
from hti_comms.geo.models import District
from hti_comms.subscribers.models import Audience, Contact, ContactStatus, LegalBasis
from tests.helpers import form_csrf_token

CONTACTS = "/admin/kontakter/"


def listed(html: str) -> list[str]:
    return sorted(re.findall(r"<td>([^<@]+@exempel\.se)</td>", html))


def test_contact_pages_need_login(client):
    assert client.get(CONTACTS).status_code == 302
    assert client.get(CONTACTS + "malgrupper/storlek").status_code == 302


def test_search_and_filters(staff_login, db, make_contact):
    make_contact("anna@exempel.se", municipality="Borås", name="Anna Ek", list_keys=("kurser",))
    make_contact("bo@exempel.se", role="district_chair", municipality="Göteborg", name="Bo Berg")
    make_contact("cia@exempel.se", role="municipal_official", municipality="Stockholm", name="Cia Ceder")
    make_contact("dan@exempel.se", municipality="Habo", name="Dan Dal", basis=LegalBasis.NEEDS_OPT_IN)
    district = db.session.scalar(select(District.id).where(District.county_code == "14"))
    client = staff_login

    def search(**args):
        html = client.get(CONTACTS, query_string=args).get_data(as_text=True)
        return listed(html)

    assert search() == ["anna@exempel.se", "bo@exempel.se", "cia@exempel.se", "dan@exempel.se"]
    assert search(q="berg") == ["bo@exempel.se"]
    assert search(q="CIA@") == ["cia@exempel.se"]
    assert search(roles="municipal_official") == ["cia@exempel.se"]
    assert search(municipalities="0643") == ["dan@exempel.se"]
    assert search(counties="14") == ["anna@exempel.se", "bo@exempel.se"]
    assert search(districts=str(district)) == ["anna@exempel.se", "bo@exempel.se"]
    assert search(lists="kurser") == ["anna@exempel.se"]
    assert search(status="pending") == ["dan@exempel.se"]
    assert "<strong>1</strong> kontakt matchar." in client.get(CONTACTS, query_string={"status": "pending"}).get_data(as_text=True)


def test_add_with_opt_in_sends_confirmation_and_shows_history_and_mail(staff_login, db, lists, mail_sink):
    client = staff_login
    url = CONTACTS + "ny"
    response = client.post(url, data={
        "csrf_token": form_csrf_token(client, url), "name": "Eva Ek", "email": "Eva@Exempel.se", "phone": "070-1",
        "lists": ["nyhetsbrev"], "legal_basis": "needs_opt_in", "role": "council_member:pensionarsrad",
        "municipality": "Borås", "association": ""})
    assert response.status_code == 302
    contact = db.session.scalar(select(Contact))
    assert contact.status is ContactStatus.PENDING and contact.email == "eva@exempel.se"
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Vill du få e-post om Hemtjänstindex?"

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lades till av personal" in page and "Behöver bekräfta själv" in page and "personal@spf.example" in page
    assert "Ledamot i pensionärsråd, Borås" in page
    assert "Skickat till personen" in page and "Vill du få e-post om Hemtjänstindex?" in page
    assert "<td>Bekräftelse av adress</td><td>Skickat</td>" in page

    duplicate = client.post(url, data={
        "csrf_token": form_csrf_token(client, url), "name": "Eva", "email": "eva@exempel.se", "lists": [],
        "legal_basis": "consent_given", "role": "", "municipality": "", "association": ""})
    assert "Det finns redan en kontakt med adressen eva@exempel.se." in duplicate.get_data(as_text=True)


def test_edit_lists_and_roles_and_unsubscribe(staff_login, db, make_contact):
    contact = make_contact("eva@exempel.se", list_keys=("nyhetsbrev",))
    client = staff_login
    url = f"{CONTACTS}{contact.id}"
    client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Eva Ek", "email": "eva@exempel.se",
                           "phone": "", "lists": ["kurser"]})
    client.post(url + "/uppdrag", data={"csrf_token": form_csrf_token(client, url),
                                        "uppdrag-role": "district_officer", "uppdrag-municipality": "",
                                        "uppdrag-association": "", "uppdrag-district_id": str(db.session.scalar(
                                            select(District.id).where(District.county_code == "06")))})
    db.session.expire_all()
    contact = db.session.get(Contact, contact.id)
    assert contact.name == "Eva Ek" and contact.list_keys == {"kurser"}
    assert [a.describe() for a in contact.affiliations] == ["Ledamot i pensionärsråd, Upplands Väsby",
                                                           "Funktionär i SPF-distrikt, SPF Seniorerna Jönköping"]
    page = client.get(url).get_data(as_text=True)
    assert "Ändrade listor" in page

    client.post(url + "/avregistrera", data={"csrf_token": form_csrf_token(client, url)})
    db.session.expire_all()
    assert db.session.get(Contact, contact.id).status is ContactStatus.UNSUBSCRIBED
    refused = client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Eva Ek",
                                     "email": "eva@exempel.se", "phone": "", "lists": ["kurser"]})
    assert "Bara personen själv kan börja prenumerera igen" in refused.get_data(as_text=True)


def test_audience_form_live_size_and_save(staff_login, db, make_contact):
    make_contact("anna@exempel.se", municipality="Borås", list_keys=("kurser",))
    make_contact("bo@exempel.se", municipality="Stockholm", list_keys=("kurser",))
    client = staff_login

    size = client.get(CONTACTS + "malgrupper/storlek", query_string={"lists": "kurser", "counties": "14"}).get_json()
    assert size == {"count": 1, "text": "1 mottagare just nu"}
    assert client.get(CONTACTS + "malgrupper/storlek", query_string={"lists": "kurser"}).get_json()["count"] == 2

    url = CONTACTS + "malgrupper/ny"
    page = client.get(url).get_data(as_text=True)
    assert 'data-size-url="/admin/kontakter/malgrupper/storlek"' in page
    missing_list = client.post(url, data={"csrf_token": form_csrf_token(client, url), "name": "Utan lista"})
    assert "Välj minst en lista" in missing_list.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": form_csrf_token(client, url),
                                   "name": "Rådsledamöter i Västra Götaland", "description": "",
                                   "lists": ["kurser"], "roles": ["council_member"], "counties": ["14"]},
                        follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert "Målgruppen ”Rådsledamöter i Västra Götaland” är sparad." in html and "1 mottagare just nu" in html
    audience = db.session.scalar(select(Audience))
    assert (audience.list_keys, audience.roles, audience.county_codes) == (["kurser"], ["council_member"], ["14"])
    overview = client.get(CONTACTS + "malgrupper").get_data(as_text=True)
    assert "Rådsledamöter i Västra Götaland" in overview


def test_legal_basis_defaults_to_the_person_confirming_themselves(staff_login):
    for url in (CONTACTS + "ny", CONTACTS + "importera"):
        page = staff_login.get(url).get_data(as_text=True)
        selected = re.search(r'<option selected value="([a-z_]+)">|<option value="([a-z_]+)" selected>', page)
        assert selected and "needs_opt_in" in selected.groups(), url
        assert "Rättslig grund" not in page  # plain words: "Har personen sagt ja till e-post?"


def test_an_audience_without_a_list_reaches_nobody(staff_login, db, make_contact):
    make_contact("anna@exempel.se", municipality="Borås", list_keys=("kurser",))
    size = staff_login.get(CONTACTS + "malgrupper/storlek", query_string={"counties": "14"}).get_json()
    assert size["count"] == 0 and size["text"] == "0 mottagare just nu"
    page = staff_login.get(CONTACTS + "malgrupper/ny").get_data(as_text=True)
    assert "0 mottagare just nu" in page


def test_municipalities_are_typed_with_suggestions_and_checked_on_the_server(staff_login, db, make_contact):
    make_contact("anna@exempel.se", municipality="Borås", list_keys=("kurser",))
    make_contact("dan@exempel.se", municipality="Habo", list_keys=("kurser",))
    make_contact("cia@exempel.se", municipality="Stockholm", list_keys=("kurser",))
    client = staff_login
    url = CONTACTS + "malgrupper/ny"
    page = client.get(url).get_data(as_text=True)
    # A text field with 290 suggestions (works without script), not a 290-row multiple select.
    assert 'list="kommuner"' in page and page.count("<option value=") >= 290
    assert 'name="municipalities" multiple' not in page and "Håll ner Ctrl" not in page
    size = client.get(CONTACTS + "malgrupper/storlek",
                      query_string={"lists": "kurser", "municipality_names": "Borås, 0643"}).get_json()
    assert size["count"] == 2

    token = form_csrf_token(client, url)
    wrong = client.post(url, data={"csrf_token": token, "name": "Två kommuner", "lists": ["kurser"],
                                   "municipality_names": "Borås, Atlantis"}).get_data(as_text=True)
    assert "Kommun: ”Atlantis” finns inte bland Sveriges 290 kommuner" in wrong
    assert 'aria-invalid="true"' in wrong and 'value="Borås, Atlantis"' in wrong  # kept to correct
    assert db.session.scalar(select(Audience)) is None

    saved = client.post(url, data={"csrf_token": token, "name": "Två kommuner", "lists": ["kurser"],
                                   "municipality_names": "borås, 0643"}, follow_redirects=True).get_data(as_text=True)
    audience = db.session.scalar(select(Audience))
    assert sorted(audience.municipality_codes) == ["0643", "1490"]
    assert "2 mottagare just nu" in saved
    # The chosen ones are listed as ticked boxes; unticking one removes it.
    assert re.search(r'name="municipalities" value="1490" checked> Borås', saved)
    edit = CONTACTS + f"malgrupper/{audience.id}"
    client.post(edit, data={"csrf_token": form_csrf_token(client, edit), "name": "Två kommuner",
                            "lists": ["kurser"], "municipalities": ["0643"], "municipality_names": ""})
    db.session.expire_all()
    assert db.session.get(Audience, audience.id).municipality_codes == ["0643"]

    found = client.get(CONTACTS, query_string={"municipality_names": "Habo"}).get_data(as_text=True)
    assert listed(found) == ["dan@exempel.se"] and 'value="Habo"' in found
