"""Staged contact imports: the preview is planned once and stored; the queue survives a failing import;
"Avbryt" takes an import out of the queue; erasure finds a person in a staged XLSX file."""
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hti_comms.subscribers.gdpr import erase_contact
from hti_comms.subscribers.imports import run
from hti_comms.subscribers.models import Contact, LegalBasis
from hti_comms.subscribers.imports.models import ContactImport, ContactImportLine, ImportStatus
from hti_comms.subscribers.services import find_contact
from tests.helpers import form_csrf_token

IMPORT_PAGE = "/admin/kontakter/importera"


def upload(client, data: bytes, filename: str = "kontakter.csv") -> str:
    """Upload a file through the staff page; return the preview's URL."""
    response = client.post(IMPORT_PAGE, data={
        "csrf_token": form_csrf_token(client, IMPORT_PAGE), "legal_basis": "consent_given",
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def queue(client, preview_url: str) -> None:
    client.post(preview_url + "/spara", data={"csrf_token": form_csrf_token(client, preview_url)})


def run_imports(app) -> int:
    """Run the queue as the scheduler's sweep does (an app context of its own); return how many were stored."""
    with app.app_context():
        try:
            return run.run_queued_imports()
        finally:
            db_session_remove()


def db_session_remove() -> None:
    from hti_comms.extensions import db

    db.session.remove()


def contacts_file(*addresses: str) -> bytes:
    return ("e-post\r\n" + "".join(f"{a}\r\n" for a in addresses)).encode()


def imports(db) -> list[ContactImport]:
    db.session.expire_all()
    return list(db.session.scalars(select(ContactImport).order_by(ContactImport.id)))


def test_the_preview_is_planned_once_and_shown_from_the_stored_report_in_pages(staff_login, db, lists,
                                                                                monkeypatch):
    addresses = [f"person{n}@exempel.se" for n in range(450)]
    preview_url = upload(staff_login, contacts_file(*addresses, "fel(at)exempel.se"))

    def no_planning(*args, **kwargs):
        raise AssertionError("the preview must not plan the file again")

    monkeypatch.setattr(run, "plan_import", no_planning)
    first = staff_login.get(preview_url).get_data(as_text=True)
    assert "Rad 452 (fel(at)exempel.se): fel" in first  # problems are shown first
    assert "Läggs till (450)" in first and "450 nya kontakter" in first
    last = staff_login.get(preview_url + "?visa=create&sida=3").get_data(as_text=True)
    assert "Sida 3 av 3." in last
    assert "Rad 402 (person400@exempel.se): läggs till" in last and "Rad 451 (person449@exempel.se)" in last
    assert "Rad 401 (" not in last
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_a_failing_queued_import_is_marked_failed_and_the_queue_goes_on(staff_login, db, lists, monkeypatch):
    first = upload(staff_login, contacts_file("anna@exempel.se"), "först.csv")
    second = upload(staff_login, contacts_file("bo@exempel.se"), "sedan.csv")
    queue(staff_login, first)
    queue(staff_login, second)
    broken_id = imports(db)[0].id
    real_apply = run.apply_plan

    def apply_failing_for_the_first(plan, **kwargs):
        if "först.csv" in kwargs["actor"]:
            raise RuntimeError("the database went away")
        return real_apply(plan, **kwargs)

    monkeypatch.setattr(run, "apply_plan", apply_failing_for_the_first)
    assert run_imports(staff_login.application) == 1

    failed, done = imports(db)
    assert (failed.status, done.status) == (ImportStatus.FAILED, ImportStatus.COMMITTED)
    assert failed.data is not None  # kept, so that staff can try again
    assert list(db.session.scalars(select(Contact.email))) == ["bo@exempel.se"]
    page = staff_login.get(first).get_data(as_text=True)
    assert "Importen misslyckades." in page and "ett fel i systemet, inte i filen" in page
    assert ">Försök igen</button>" in page

    monkeypatch.setattr(run, "apply_plan", real_apply)
    queue(staff_login, first)
    assert run_imports(staff_login.application) == 1
    assert db.session.get(ContactImport, broken_id).status is ImportStatus.COMMITTED
    assert sorted(db.session.scalars(select(Contact.email))) == ["anna@exempel.se", "bo@exempel.se"]


def test_cancel_takes_a_queued_import_out_of_the_queue(staff_login, db, lists):
    preview_url = upload(staff_login, contacts_file("anna@exempel.se"))
    queue(staff_login, preview_url)
    waiting = staff_login.get(preview_url).get_data(as_text=True)
    assert "Importen pågår." in waiting and "Avbryt importen" in waiting

    cancelled = staff_login.post(preview_url + "/avbryt", data={"csrf_token": form_csrf_token(staff_login, preview_url)},
                                 follow_redirects=True).get_data(as_text=True)
    assert "Importen är avbruten." in cancelled
    [staged] = imports(db)
    assert staged.status is ImportStatus.DISCARDED and staged.data is None
    assert db.session.scalar(select(func.count()).select_from(ContactImportLine)) == 0
    assert run_imports(staff_login.application) == 0  # nothing left in the queue
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0
    assert "Importen avbröts" in staff_login.get(preview_url).get_data(as_text=True)


def test_an_import_that_is_done_cannot_be_cancelled(staff_login, db, lists):
    preview_url = upload(staff_login, contacts_file("anna@exempel.se"))
    queue(staff_login, preview_url)
    assert run_imports(staff_login.application) == 1
    answer = staff_login.post(preview_url + "/avbryt", data={"csrf_token": form_csrf_token(staff_login, preview_url)},
                              follow_redirects=True).get_data(as_text=True)
    assert "Importen gick inte att avbryta: den är redan klar eller avbruten." in answer
    assert imports(db)[0].status is ImportStatus.COMMITTED
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1


def xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("rows", [
    [["Namn", "E-post", "Kommun"], ["Birgitta Berg", "Birgitta.Berg@Exempel.se", ""]],  # planned: stored lines
    [["Namn", "Adress"], ["Birgitta Berg", "birgitta.berg@exempel.se"]],  # no e-mail column: read the file
], ids=["planned", "unplanned"])
def test_erasure_finds_the_person_in_a_staged_xlsx_import(db, make_contact, rows):
    contact = make_contact("birgitta.berg@exempel.se", name="Birgitta Berg")
    data = xlsx(rows)
    assert b"birgitta.berg@exempel.se" not in data.lower()  # the address is zipped: not in the raw bytes
    staged = run.stage_import(data, "kontakter.xlsx", LegalBasis.CONSENT_GIVEN, [], actor="test")
    other = run.stage_import(xlsx([["E-post"], ["annan@exempel.se"]]), "annan.xlsx", LegalBasis.CONSENT_GIVEN, [],
                             actor="test")

    erasure = erase_contact(contact, erased_by="personal@spf.example")

    assert erasure.removed["väntande importer"] == 1
    db.session.expire_all()
    erased_import = db.session.get(ContactImport, staged.id)
    assert erased_import.status is ImportStatus.DISCARDED and erased_import.data is None
    assert db.session.scalar(select(func.count()).select_from(ContactImportLine)
                             .where(ContactImportLine.import_id == staged.id)) == 0
    assert db.session.get(ContactImport, other.id).status is ImportStatus.PREVIEWED
    assert find_contact("birgitta.berg@exempel.se") is None
