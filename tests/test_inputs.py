"""NUL characters and huge numbers, on both databases: a Swedish message, a 400 or a 404, never a 500."""
from sqlalchemy import func, select

from hti_comms.inputs import BoundedMultiDict, control_character, optional_whole_number
from hti_comms.subscribers.models import Contact
from hti_comms.subscribers.imports.models import ContactImport
from tests.helpers import form_csrf_token

HUGE = "99999999999999999999"

#: Staff pages and what each must answer with a huge number or a NUL where a number or a word goes.
STAFF_ROUTES = [
    (f"/admin/kontakter/?sida={HUGE}", 200),
    ("/admin/kontakter/?sida=-5", 200),
    ("/admin/kontakter/?q=%00", 400),
    ("/admin/kontakter/?q=Anna%00&status=confirmed", 400),
    (f"/admin/kontakter/{HUGE}", 404),
    (f"/admin/kontakter/malgrupper/storlek?lists=nyhetsbrev&districts={HUGE}", 200),
    ("/admin/kontakter/malgrupper/storlek?lists=%00", 400),
    ("/admin/kontakter/malgrupper/storlek?municipalities=01%0014", 400),
    (f"/admin/kontakter/malgrupper/{HUGE}", 404),
    (f"/admin/kontakter/importera/{HUGE}", 404),
    (f"/admin/kontakter/importera/1?sida={HUGE}&visa=%00", 400),
    (f"/admin/talpunkter/{HUGE}/0114", 404),
    ("/admin/talpunkter/2024/%00", 404),
    ("/admin/talpunkter/2024/01%0014/brief.pdf", 404),
    (f"/admin/talpunkter/2024/distrikt/{HUGE}", 404),
    (f"/admin/talpunkter/?year={HUGE}&kommun=0114", 200),  # no such year: the chooser, as without one
    (f"/admin/resultat/{HUGE}", 404),
    (f"/admin/distrikt/{HUGE}", 404),
    (f"/admin/utkorg/?sida={HUGE}", 200),
    (f"/admin/utkorg/{HUGE}", 404),
]


def test_staff_routes_answer_nul_and_huge_numbers_without_a_server_error(staff_login, lists):
    answers = {url: staff_login.get(url) for url, _status in STAFF_ROUTES}
    assert {url: answers[url].status_code for url, _ in STAFF_ROUTES} == dict(STAFF_ROUTES)
    for url, status in STAFF_ROUTES:
        if status == 400:
            assert "innehåller ett osynligt tecken" in answers[url].get_data(as_text=True), url


def test_contact_search_beyond_the_last_page_shows_the_last_page(staff_login, make_contact):
    make_contact("anna@exempel.se")
    page = staff_login.get(f"/admin/kontakter/?sida={HUGE}").get_data(as_text=True)
    assert "anna@exempel.se" in page


def test_signup_with_nul_in_the_name_is_refused_in_swedish_and_saves_nothing(client, db, lists):
    data = {"csrf_token": form_csrf_token(client, "/prenumerera"), "name": "Eva\x00Ek",
            "email": "eva@exempel.se", "role": "council_member:seniorrad", "municipality": "Habo",
            "lists": ["nyhetsbrev"], "consent": "y", "consent_version": "2026-11", "website": ""}
    response = client.post("/prenumerera", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Något i formuläret innehåller ett osynligt tecken (till exempel ett NUL-tecken)" in html
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_public_links_with_nul_are_not_found(client, lists):
    assert client.get("/bekrafta/abc%00def").status_code == 404
    assert client.get("/avregistrera/%00").status_code in (404, 400)


def test_uploaded_file_name_with_nul_is_refused(staff_login, db, lists):
    import io

    token = form_csrf_token(staff_login, "/admin/kontakter/importera")
    response = staff_login.post("/admin/kontakter/importera", data={
        "csrf_token": token, "legal_basis": "consent_given",
        "file": (io.BytesIO("e-post\r\nanna@exempel.se\r\n".encode()), "kontakter\x00.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "Filens namn innehåller ett osynligt tecken" in \
        response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ContactImport)) == 0


def test_contact_import_command_with_nul_names_the_line_without_a_traceback(runner, db, lists, tmp_path):
    path = tmp_path / "kontakter.csv"
    path.write_bytes("namn;e-post\r\nAnna;anna@exempel.se\r\nBo\x00;bo@exempel.se\r\n".encode())
    result = runner.invoke(args=["hti", "import-contacts", str(path), "--basis", "consent"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Rad 3, kolumn ”namn”: cellen innehåller ett osynligt NUL-tecken" in result.output
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_staff_import_with_nul_shows_the_line_in_the_preview(staff_login, db, lists):
    import io

    response = staff_login.post("/admin/kontakter/importera", data={
        "csrf_token": form_csrf_token(staff_login, "/admin/kontakter/importera"), "legal_basis": "consent_given",
        "file": (io.BytesIO("namn;e-post\r\nBo\x00;bo@exempel.se\r\n".encode()), "kontakter.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    preview = staff_login.get(response.headers["Location"]).get_data(as_text=True)
    assert "Filen kan inte importeras." in preview and "Rad 2, kolumn ”namn”: cellen innehåller" in preview


def test_the_rule_itself():
    assert control_character("Åsa\tÖberg\r\n") is None
    assert control_character("a\x00b") == "NUL-tecken"
    assert control_character("a\x7f") == "styrtecken (kod 127)"
    assert optional_whole_number(HUGE) is None and optional_whole_number("-12") == -12
    assert optional_whole_number("tolv") is None
    args = BoundedMultiDict([("sida", HUGE), ("år", "2024")])
    assert args.get("sida", 1, type=int) == 1 and args.get("år", type=int) == 2024
