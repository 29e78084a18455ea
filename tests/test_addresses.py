"""One address rule at every entry point: internationalised domains accepted and sent in ASCII, shown in
Unicode; a non-ASCII local part refused at entry in Swedish (unless SMTP_UTF8); never a 500 or a traceback."""
import io

import pytest
from sqlalchemy import select

from hti_comms.addresses import InvalidAddress, display_address, normalise_address
from hti_comms.auth.models import StaffUser
from hti_comms.delivery.models import OutboxMessage
from hti_comms.subscribers.models import Contact
from hti_comms.subscribers.imports.models import ContactImport, ImportStatus
from tests.helpers import form_csrf_token

UNICODE_DOMAIN = ("anna@exämpel.se", "anna@xn--exmpel-cua.se")
PUNYCODE_DOMAIN = ("bo@xn--exmple-cua.se", "bo@xn--exmple-cua.se")
REFUSAL = "bokstäver som å, ä och ö före @ fungerar inte i alla e-postsystem"
SIGNUP = "/prenumerera"


def signup_data(client, email):
    return {"csrf_token": form_csrf_token(client, SIGNUP), "name": "Anna Ek", "email": email,
            "role": "council_member:seniorrad", "municipality": "Habo", "lists": ["nyhetsbrev"], "consent": "y",
            "consent_version": "2026-11", "website": ""}


def test_the_rule():
    assert normalise_address(" Anna@Exämpel.SE ") == "anna@xn--exmpel-cua.se"
    assert normalise_address("bo@XN--EXMPLE-CUA.se") == "bo@xn--exmple-cua.se"
    assert display_address("bo@xn--exmple-cua.se") == "bo@exämple.se"
    with pytest.raises(InvalidAddress, match=REFUSAL):
        normalise_address("åsa@example.se")


def test_smtp_utf8_allows_letters_before_the_at_sign(app):
    app.config["SMTP_UTF8"] = True
    assert normalise_address("Åsa@Exämpel.se") == "åsa@xn--exmpel-cua.se"


def test_signup_form_accepts_international_domains_and_sends_in_ascii(client, db, lists, mail_sink):
    from hti_comms.delivery.worker import deliver_due

    for typed, stored in (UNICODE_DOMAIN, PUNYCODE_DOMAIN):
        response = client.post(SIGNUP, data=signup_data(client, typed))
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert sorted(db.session.scalars(select(Contact.email))) == sorted([UNICODE_DOMAIN[1], PUNYCODE_DOMAIN[1]])
    assert deliver_due() == 2
    mail_sink.wait_for(2)
    assert sorted(to for _sender, tos in mail_sink.envelopes for to in tos) == \
        sorted([UNICODE_DOMAIN[1], PUNYCODE_DOMAIN[1]])


def test_signup_form_refuses_a_non_ascii_local_part_in_swedish(client, db, lists):
    response = client.post(SIGNUP, data=signup_data(client, "åsa@example.se"))
    assert response.status_code == 200
    assert REFUSAL in response.get_data(as_text=True)
    assert db.session.scalar(select(Contact)) is None


def test_staff_add_contact_shows_the_address_in_unicode(staff_login, db, lists):
    url = "/admin/kontakter/ny"
    for typed in (UNICODE_DOMAIN[0], PUNYCODE_DOMAIN[0], "åsa@example.se"):
        response = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "name": "Anna",
                                               "email": typed, "legal_basis": "consent_given",
                                               "lists": ["nyhetsbrev"]}, follow_redirects=True)
        assert response.status_code == 200
    assert REFUSAL in response.get_data(as_text=True)
    assert sorted(db.session.scalars(select(Contact.email))) == sorted([UNICODE_DOMAIN[1], PUNYCODE_DOMAIN[1]])
    listing = staff_login.get("/admin/kontakter/").get_data(as_text=True)
    assert "anna@exämpel.se" in listing and "bo@exämple.se" in listing and "xn--" not in listing
    found = staff_login.get("/admin/kontakter/?q=exämpel").get_data(as_text=True)
    assert "anna@exämpel.se" in found and "bo@exämple.se" not in found


def test_contact_import_command_accepts_and_refuses_by_the_same_rule(runner, db, lists, tmp_path):
    path = tmp_path / "kontakter.csv"
    path.write_text(f"namn;e-post\r\nAnna;{UNICODE_DOMAIN[0]}\r\nBo;{PUNYCODE_DOMAIN[0]}\r\nÅsa;åsa@example.se\r\n",
                    encoding="utf-8")
    failed = runner.invoke(args=["hti", "import-contacts", str(path), "--basis", "opt-in"])
    assert failed.exit_code == 1 and isinstance(failed.exception, SystemExit)  # no traceback
    assert f"Rad 4 (åsa@example.se): fel – ”åsa@example.se” går inte att skicka e-post till: {REFUSAL}" \
        in failed.output
    ok = runner.invoke(args=["hti", "import-contacts", str(path), "--basis", "opt-in", "--skip-invalid"])
    assert ok.exit_code == 0, ok.output
    assert sorted(db.session.scalars(select(Contact.email))) == sorted([UNICODE_DOMAIN[1], PUNYCODE_DOMAIN[1]])
    assert sorted(db.session.scalars(select(OutboxMessage.email))) == sorted([UNICODE_DOMAIN[1], PUNYCODE_DOMAIN[1]])


def test_queued_staff_import_with_international_domains_is_stored_and_does_not_block_the_queue(
        staff_login, db, lists):
    from hti_comms.scheduling.sweeps import load_sweeps, run_sweep

    load_sweeps()
    previews = []
    for name, rows in (("först.csv", f"e-post\r\n{UNICODE_DOMAIN[0]}\r\n{PUNYCODE_DOMAIN[0]}\r\n"),
                       ("sedan.csv", "e-post\r\ncecilia@exempel.se\r\n")):
        response = staff_login.post("/admin/kontakter/importera", data={
            "csrf_token": form_csrf_token(staff_login, "/admin/kontakter/importera"), "legal_basis": "needs_opt_in",
            "file": (io.BytesIO(rows.encode()), name)}, content_type="multipart/form-data")
        preview_url = response.headers["Location"]
        previews.append(staff_login.get(preview_url + "?visa=create").get_data(as_text=True))
        staff_login.post(preview_url + "/spara", data={"csrf_token": form_csrf_token(staff_login, preview_url)})
    assert "Rad 2 (anna@exämpel.se): läggs till" in previews[0]  # shown in Unicode
    with staff_login.application.app_context():
        assert run_sweep("subscribers.run_queued_imports")
    assert [i.status for i in db.session.scalars(select(ContactImport).order_by(ContactImport.id))] == \
        [ImportStatus.COMMITTED, ImportStatus.COMMITTED]
    assert sorted(db.session.scalars(select(Contact.email))) == \
        sorted([UNICODE_DOMAIN[1], PUNYCODE_DOMAIN[1], "cecilia@exempel.se"])


def test_staff_accounts_use_the_rule(runner, db, client):
    created = runner.invoke(args=["hti", "create-staff", "Karin@Exämpel.se", "--password-stdin"],
                            input="ett-långt-lösenord\n")
    assert created.exit_code == 0, created.output
    assert db.session.scalar(select(StaffUser.email)) == "karin@xn--exmpel-cua.se"
    refused = runner.invoke(args=["hti", "create-staff", "åsa@example.se", "--password-stdin"],
                            input="ett-långt-lösenord\n")
    assert refused.exit_code == 1 and REFUSAL in refused.output
    client.application.config["WTF_CSRF_ENABLED"] = False
    login = client.post("/logga-in", data={"email": "karin@exämpel.se", "password": "ett-långt-lösenord"})
    assert login.status_code == 302


def test_send_test_email_command_uses_the_rule(runner, db):
    ok = runner.invoke(args=["hti", "send-test-email", UNICODE_DOMAIN[0]])
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(OutboxMessage.email)) == UNICODE_DOMAIN[1]
    refused = runner.invoke(args=["hti", "send-test-email", "åsa@example.se"])
    assert refused.exit_code == 1 and REFUSAL in refused.output


def test_lookup_form_finds_the_stored_address_however_it_is_written(app):
    from hti_comms.addresses import lookup_form

    assert lookup_form(" Anna@Exämpel.SE ") == "anna@xn--exmpel-cua.se"
    # Not an address at all: trimmed and lower-cased, so a lookup finds nothing instead of failing.
    assert lookup_form(" Inte En Adress ") == "inte en adress"
    assert lookup_form(None) == ""


def test_suppression_lookup_matches_a_unicode_domain(app):
    from hti_comms.delivery import services

    services.suppress("anna@exämpel.se", "unsubscribed")
    assert services.is_suppressed("ANNA@xn--exmpel-cua.se")
    assert services.is_suppressed("Anna@Exämpel.se ")
