"""Contact import: preview line by line, commit all or nothing, merges, bad rows, encodings, CLI."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hti_comms.scheduling.sweeps import load_sweeps, run_sweep
from hti_comms.subscribers.imports.plan import plan_import
from hti_comms.subscribers.imports.models import LineAction
from hti_comms.subscribers.imports.store import ImportRefused, import_contacts
from hti_comms.subscribers.models import Affiliation, ConsentEvent, Contact, ContactStatus, LegalBasis, Subscription
from hti_comms.subscribers.imports.models import ContactImport
from hti_comms.subscribers.services import unsubscribe

HEADER = "namn;e-post;roll;kommun;listor;förening"


def csv_bytes(*lines: str, encoding="utf-8", bom=False, header=HEADER) -> bytes:
    data = "\r\n".join([header, *lines]).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def snapshot(db) -> list:
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Contact, Affiliation, Subscription, ConsentEvent)]


GOOD = [
    "Anna Ek;Anna.Ek@Exempel.se ;pensionärsråd;Borås;nyhetsbrev, kurser;",
    "Bo Berg;bo@exempel.se;Seniorråd;0643;Kurser och webbinarier;",
    "Cecilia Ceder;cecilia@exempel.se;föreningsordförande;Habo;;SPF Habo",
]


def test_preview_then_commit_creates_contacts_with_roles_lists_and_basis(db, lists):
    data = csv_bytes(*GOOD)
    plan = plan_import(data, "kontakter.csv", LegalBasis.CONSENT_GIVEN, ["lokala-resultat"])
    assert [(line.line, line.action) for line in plan.lines] == [(2, LineAction.CREATE), (3, LineAction.CREATE),
                                                               (4, LineAction.CREATE)]
    assert snapshot(db) == [0, 0, 0, 0]  # the preview writes nothing

    _plan, result = import_contacts(data, "kontakter.csv", LegalBasis.CONSENT_GIVEN, ["lokala-resultat"],
                                    actor="personal@spf.example")

    assert (result.created, result.updated, result.skipped) == (3, 0, 0)
    anna = db.session.scalar(select(Contact).where(Contact.email == "anna.ek@exempel.se"))
    assert anna.status is ContactStatus.CONFIRMED and anna.list_keys == {"nyhetsbrev", "kurser"}
    assert anna.affiliations[0].describe() == "Ledamot i pensionärsråd, Borås"
    [event] = anna.consent_events
    assert (event.source.value, event.legal_basis, event.list_keys) == \
        ("import", LegalBasis.CONSENT_GIVEN, ["kurser", "nyhetsbrev"])
    bo = db.session.scalar(select(Contact).where(Contact.email == "bo@exempel.se"))
    assert bo.affiliations[0].describe() == "Ledamot i seniorråd, Habo"
    cecilia = db.session.scalar(select(Contact).where(Contact.email == "cecilia@exempel.se"))
    assert cecilia.list_keys == {"lokala-resultat"}  # the default for an empty "listor" cell
    assert cecilia.affiliations[0].describe() == "Ordförande i SPF-förening, SPF Habo, Habo"


def test_windows_1252_comma_csv_with_bom_variants_and_xlsx(db, lists):
    cp1252 = csv_bytes("Åsa Öberg,asa@exempel.se,pensionärsråd,Borås,nyhetsbrev,", encoding="cp1252",
                       header=HEADER.replace(";", ","))
    bom = csv_bytes("Örjan Ås;orjan@exempel.se;seniorråd;Habo;kurser;", bom=True)
    workbook = Workbook()
    workbook.active.append(["Namn", "E-post", "Roll", "Kommunkod", "Listor"])
    workbook.active.append(["Per Pål", "per@exempel.se", "Pensionärsråd", 180, "nyhetsbrev"])  # Excel's number
    buffer = io.BytesIO()
    workbook.save(buffer)
    for data, name in ((cp1252, "excel.csv"), (bom, "bom.csv"), (buffer.getvalue(), "kontakter.xlsx")):
        import_contacts(data, name, LegalBasis.CONSENT_GIVEN, [], actor="test")
    names = dict(db.session.execute(select(Contact.email, Contact.name)).all())
    assert names == {"asa@exempel.se": "Åsa Öberg", "orjan@exempel.se": "Örjan Ås", "per@exempel.se": "Per Pål"}
    per = db.session.scalar(select(Contact).where(Contact.email == "per@exempel.se"))
    assert per.affiliations[0].municipality.short_name == "Stockholm"


BAD_ROWS = {
    "invalid email": ("Eva;eva(at)exempel.se;pensionärsråd;Borås;;", "”eva(at)exempel.se” är ingen giltig e-postadress"),
    "missing email": ("Eva;;pensionärsråd;Borås;;", "e-postadress saknas"),
    "unknown municipality": ("Eva;eva@exempel.se;pensionärsråd;Atlantis;;",
                             "kommunen ”Atlantis” finns inte bland Sveriges 290 kommuner"),
    "unknown code": ("Eva;eva@exempel.se;pensionärsråd;9999;;", "kommunen ”9999” finns inte"),
    "unknown role": ("Eva;eva@exempel.se;kung;Borås;;", "rollen ”kung” känns inte igen"),
    "unknown list": ("Eva;eva@exempel.se;pensionärsråd;Borås;sport;", "listan ”sport” finns inte"),
    "role without municipality": ("Eva;eva@exempel.se;pensionärsråd;;;", "kommun saknas för rollen ”pensionärsråd”"),
    "association without name": ("Eva;eva@exempel.se;föreningsordförande;Borås;;", "föreningens namn saknas"),
    "name too long": (f"{'E' * 121};eva@exempel.se;;;;", "namnet är längre än 120 tecken"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_saved(db, lists, case):
    import_contacts(csv_bytes(GOOD[0]), "första.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    before = snapshot(db)
    row, message = BAD_ROWS[case]
    data = csv_bytes(GOOD[1], row, GOOD[2])

    with pytest.raises(ImportRefused, match="1 rad har fel"):
        import_contacts(data, "fel.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")

    assert snapshot(db) == before
    [bad] = plan_import(data, "fel.csv", LegalBasis.CONSENT_GIVEN, []).invalid_lines
    assert bad.line == 3 and message in str(bad), str(bad)
    assert str(bad).startswith("Rad 3")


def test_skipping_invalid_rows_imports_the_rest(db, lists):
    data = csv_bytes(GOOD[0], "Eva;eva(at)exempel.se;;;;", GOOD[1])
    _plan, result = import_contacts(data, "delvis.csv", LegalBasis.CONSENT_GIVEN, [], actor="test", skip_invalid=True)
    assert (result.created, result.invalid) == (2, 1)


def test_duplicates_are_merged_never_doubled(db, make_contact):
    make_contact("bo@exempel.se", municipality="Habo", role="council_member:seniorrad", list_keys=("nyhetsbrev",),
                 name="Bo Berg")
    data = csv_bytes(GOOD[0], "; ANNA.EK@exempel.se;tjänsteperson;Borås;lokala-resultat;",
                     "Bo Berg;BO@Exempel.se;seniorråd;Habo;kurser;", "Bo Berg;bo@exempel.se;seniorråd;Habo;;")
    plan = plan_import(data, "dubbletter.csv", LegalBasis.CONSENT_GIVEN, [])
    assert [line.action for line in plan.lines] == [LineAction.CREATE, LineAction.MERGE, LineAction.UPDATE,
                                                   LineAction.MERGE]
    assert "samma adress som rad 2" in str(plan.lines[1])
    assert "läggs till på Kurser och webbinarier" in str(plan.lines[2])

    import_contacts(data, "dubbletter.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")

    assert db.session.scalar(select(func.count()).select_from(Contact)) == 2
    anna = db.session.scalar(select(Contact).where(Contact.email == "anna.ek@exempel.se"))
    assert {a.role.value for a in anna.affiliations} == {"council_member", "municipal_official"}
    assert anna.list_keys == {"nyhetsbrev", "kurser", "lokala-resultat"}
    bo = db.session.scalar(select(Contact).where(Contact.email == "bo@exempel.se"))
    assert len(bo.affiliations) == 1 and bo.list_keys == {"nyhetsbrev", "kurser"}


def test_unchanged_and_unsubscribed_people_are_skipped_with_a_reason(db, make_contact):
    make_contact("anna.ek@exempel.se", municipality="Borås", list_keys=("nyhetsbrev", "kurser"), name="Anna Ek")
    make_contact("bo@exempel.se")
    unsubscribe("bo@exempel.se", None)
    plan = plan_import(csv_bytes(GOOD[0], GOOD[1]), "igen.csv", LegalBasis.CONSENT_GIVEN, [])
    assert [(line.action, line.reasons) for line in plan.lines] == [
        (LineAction.SKIP, ["finns redan med samma uppgifter"]),
        (LineAction.SKIP, ["personen har själv avregistrerat sig och läggs inte till igen"])]
    with pytest.raises(ImportRefused, match="alla rader hoppas över"):
        import_contacts(csv_bytes(GOOD[0], GOOD[1]), "igen.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")


def test_opt_in_import_sends_confirmation_emails(db, lists, mail_sink):
    from hti_comms.delivery.worker import deliver_due

    _plan, result = import_contacts(csv_bytes(*GOOD[:2]), "nya.csv", LegalBasis.NEEDS_OPT_IN, [], actor="test")
    assert len(result.to_confirm) == 2
    assert {c.status for c in db.session.scalars(select(Contact))} == {ContactStatus.PENDING}
    assert deliver_due() == 2
    messages = mail_sink.wait_for(2)
    assert {m["Subject"] for m in messages} == {"Vill du få e-post om Hemtjänstindex?"}
    assert all("https://hti.example.se/bekrafta/" in m.get_body(("plain",)).get_content() for m in messages)


def test_file_without_email_column_or_unreadable(db, lists):
    plan = plan_import("namn;kommun\r\nEva;Borås".encode(), "fel.csv", LegalBasis.CONSENT_GIVEN, [])
    assert plan.problems[0].startswith("Rad 1: filen saknar en kolumn för e-postadress")
    broken = plan_import(b"PK\x03\x04trasig", "fel.xlsx", LegalBasis.CONSENT_GIVEN, [])
    assert broken.problems == ["Filen kan inte läsas som en Excel-fil (.xlsx)."]


def run_imports_sweep(app) -> bool:
    """Run the import sweep as the scheduler does: in an app context of its own."""
    with app.app_context():
        return run_sweep("subscribers.run_queued_imports")


def test_staff_preview_and_commit_through_the_admin(staff_login, db, lists):
    from tests.helpers import form_csrf_token

    client = staff_login
    load_sweeps()
    token = form_csrf_token(client, "/admin/kontakter/importera")
    response = client.post("/admin/kontakter/importera", data={
        "csrf_token": token, "legal_basis": "consent_given", "default_lists": ["nyhetsbrev"],
        "file": (io.BytesIO(csv_bytes(GOOD[0], "Eva;eva(at)exempel.se;;;;", GOOD[1])), "kontakter.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    assert "Rad 3 (eva(at)exempel.se): fel – ”eva(at)exempel.se” är ingen giltig e-postadress" in preview
    assert "Läggs till (2)" in preview  # the problems come first; each group has its own pages
    to_add = client.get(preview_url + "?visa=create").get_data(as_text=True)
    assert "Rad 2 (anna.ek@exempel.se): läggs till" in to_add
    # What each line was understood to say: name, role, place and lists, so staff can spot a wrong column.
    assert "Förstått: Anna Ek · Ledamot i pensionärsråd, Borås · listor: Hemtjänstindex nyhetsbrev, " \
           "Kurser och webbinarier" in to_add
    assert "Förstått: Bo Berg · Ledamot i seniorråd, Habo · listor: Kurser och webbinarier" in to_add
    assert snapshot(db)[0] == 0

    commit_url = preview_url + "/spara"
    refused = client.post(commit_url, data={"csrf_token": form_csrf_token(client, preview_url)},
                          follow_redirects=True).get_data(as_text=True)
    # Refused at once, with the reason, not queued to fail later after "Importen pågår".
    assert "Inget importerades: 1 rad har fel." in refused and "Importen pågår" not in refused
    assert db.session.scalar(select(ContactImport)).status.value == "previewed"
    assert snapshot(db)[0] == 0

    client.post(commit_url, data={"csrf_token": form_csrf_token(client, preview_url), "skip_invalid": "1"})
    assert "Importen pågår." in client.get(preview_url).get_data(as_text=True)
    assert snapshot(db)[0] == 0  # nothing happens inside the web request
    assert run_imports_sweep(client.application)
    done = client.get(preview_url).get_data(as_text=True)
    # The summary says what happened without contradicting itself ("0 överhoppade rader, 2 rader med fel hoppades
    # över") and with nouns that agree with their numbers.
    assert "Importen är klar" in done and "2 nya kontakter, 0 uppdaterade. 1 rad med fel importerades inte." in done
    assert "överhoppade" not in done
    assert snapshot(db)[0] == 2
    staged = db.session.scalar(select(ContactImport))
    assert staged.data is None and staged.summary["created"] == 2


def test_staff_can_discard_a_preview(staff_login, db, lists):
    from tests.helpers import form_csrf_token

    client = staff_login
    response = client.post("/admin/kontakter/importera", data={
        "csrf_token": form_csrf_token(client, "/admin/kontakter/importera"), "legal_basis": "needs_opt_in",
        "file": (io.BytesIO(csv_bytes(GOOD[0])), "kontakter.csv")}, content_type="multipart/form-data")
    preview_url = response.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    # Importing sends mail (the opt-in): the preview says to how many, before the button is pressed.
    assert "När du importerar får den nya kontakten ett e-brev där de själva bekräftar sin adress" in preview
    client.post(preview_url + "/avbryt", data={"csrf_token": form_csrf_token(client, preview_url)})
    staged = db.session.scalar(select(ContactImport))
    assert staged.status.value == "discarded" and staged.data is None
    assert snapshot(db) == [0, 0, 0, 0]


def test_cli_import_reports_lines_and_exits_non_zero_on_errors(runner, db, lists, tmp_path):
    path = tmp_path / "kontakter.csv"
    path.write_bytes(csv_bytes(GOOD[0], "Eva;eva@exempel.se;pensionärsråd;Atlantis;;"))
    failed = runner.invoke(args=["hti", "import-contacts", str(path), "--basis", "consent"])
    assert failed.exit_code != 0
    assert "Rad 3 (eva@exempel.se): fel – kommunen ”Atlantis” finns inte" in failed.output
    assert "Inget importerades: 1 rad har fel." in failed.output
    assert snapshot(db)[0] == 0

    ok = runner.invoke(args=["hti", "import-contacts", str(path), "--basis", "consent", "--skip-invalid",
                             "--list", "kurser"])
    assert ok.exit_code == 0, ok.output
    assert "Klart: 1 ny kontakt, 0 uppdaterade. 1 rad med fel importerades inte." in ok.output


def test_awkward_characters_are_stored_exactly(db, lists):
    name = 'Bo "Bosse" Back\\slash – Ærø 😀'
    data = csv_bytes(f'"{name.replace(chr(34), chr(34) * 2)}";bo@exempel.se;föreningsfunktionär;Habo;;"SPF\\N; Habo"')
    import_contacts(data, "konstig.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    bo = db.session.scalar(select(Contact).where(Contact.email == "bo@exempel.se"))
    assert bo.name == name
    assert bo.affiliations[0].association_name == "SPF\\N; Habo"
    assert bo.confirmed_at is not None and bo.consent_events[0].list_keys == []
