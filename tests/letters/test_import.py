"""The contact import reads `adress`, `postnummer`, `ort` and `kanal`; bad values name the line and the field and
nothing is saved."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hti_comms.subscribers.imports.plan import plan_import
from hti_comms.subscribers.imports.store import ImportRefused, import_contacts
from hti_comms.subscribers.models import Channel, Contact, LegalBasis

HEADER = "namn;e-post;roll;kommun;listor;adress;postnummer;ort;kanal"


def csv_bytes(*lines: str) -> bytes:
    return "\r\n".join([HEADER, *lines]).encode("utf-8")


def test_the_import_reads_the_postal_address_and_the_channel(db, lists):
    data = csv_bytes("Greta Brevsson;greta@exempel.se;pensionärsråd;Borås;nyhetsbrev;Storgatan 1;12345;Småstad;brev",
                     "Bo Berg;bo@exempel.se;seniorråd;Habo;nyhetsbrev;;;;")
    import_contacts(data, "kontakter.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    greta = db.session.scalars(select(Contact).where(Contact.email == "greta@exempel.se")).one()
    assert greta.channel is Channel.LETTER
    assert (greta.street_address, greta.postcode, greta.town) == ("Storgatan 1", "123 45", "Småstad")
    bo = db.session.scalars(select(Contact).where(Contact.email == "bo@exempel.se")).one()
    assert bo.channel is Channel.EMAIL and bo.street_address == ""
    # The same person again, now by email: an update that says what changes.
    again = csv_bytes("Greta Brevsson;greta@exempel.se;pensionärsråd;Borås;nyhetsbrev;;;;e-post")
    [line] = plan_import(again, "igen.csv", LegalBasis.CONSENT_GIVEN, []).lines
    assert "får utskick som e-post" in str(line)
    import_contacts(again, "igen.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    db.session.expire_all()
    assert db.session.get(Contact, greta.id).channel is Channel.EMAIL


BAD = {
    "postcode": ("Eva;eva@exempel.se;;;;Vägen 1;1234;Byn;brev",
                 "Rad 2 (eva@exempel.se): fel – postnummer: ”1234” är inget postnummer"),
    "channel": ("Eva;eva@exempel.se;;;;Vägen 1;123 45;Byn;fax",
                "Rad 2 (eva@exempel.se): fel – kanal: ”fax” är inget sätt att få utskick. Skriv e-post eller brev"),
    "town": ("Eva;eva@exempel.se;;;;Vägen 1;123 45;;brev", "Rad 2 (eva@exempel.se): fel – ort: fyll i ort"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_postal_value_names_the_line_and_the_field_and_nothing_is_saved(db, lists, case):
    row, message = BAD[case]
    with pytest.raises(ImportRefused, match="1 rad har fel"):
        import_contacts(csv_bytes(row), "fel.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
    [bad] = plan_import(csv_bytes(row), "fel.csv", LegalBasis.CONSENT_GIVEN, []).invalid_lines
    assert message in str(bad), str(bad)


def test_a_member_with_letters_only_is_imported_without_an_email_address_and_found_again(db, lists):
    data = csv_bytes("Greta Brevsson;;pensionärsråd;Borås;nyhetsbrev;Storgatan 1;123 45;Småstad;brev",
                     "Harald Papper;;seniorråd;Habo;nyhetsbrev;Lillgatan 2;543 21;Storby;brev")
    import_contacts(data, "brev.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    contacts = db.session.scalars(select(Contact).order_by(Contact.name)).all()
    assert [(c.name, c.email, c.channel, c.town) for c in contacts] == [
        ("Greta Brevsson", None, Channel.LETTER, "Småstad"), ("Harald Papper", None, Channel.LETTER, "Storby")]
    assert [len(c.affiliations) for c in contacts] == [1, 1] and all(c.list_keys == {"nyhetsbrev"} for c in contacts)
    # The same file again: the same two people (by name and postal address), nothing to do.
    lines = plan_import(data, "brev.csv", LegalBasis.CONSENT_GIVEN, []).lines
    assert all("finns redan med samma uppgifter" in str(line) for line in lines), [str(line) for line in lines]
    # Without an email address and without `brev`, or asking people to confirm by email, a line is refused.
    refused = plan_import(csv_bytes("Eva;;;;;;;;", "Olle;;;;;Vägen 1;123 45;Byn;brev"), "fel.csv",
                          LegalBasis.NEEDS_OPT_IN, []).invalid_lines
    assert "Rad 2: fel – e-postadress saknas" in str(refused[0])
    assert "Rad 3: fel – e-postadress saknas – den som bara får brev kan inte bekräfta själv" in str(refused[1])
