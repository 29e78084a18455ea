"""Found by a new user's walk-through: the results import saved at once with no preview (the contact import has
one) and then offered no way on to setting the publication moment."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from hti_comms.results.models import IndexResult, ResultUpload
from tests.helpers import form_csrf_token, results_rows, to_csv


def _upload(client, rows, year=2024):
    token = form_csrf_token(client, "/admin/resultat/importera")
    return client.post("/admin/resultat/importera", content_type="multipart/form-data", data={
        "csrf_token": token, "year": str(year), "file": (io.BytesIO(to_csv(rows)), "resultat-2024.csv")})


def _saved(db) -> int:
    return db.session.scalar(select(func.count()).select_from(IndexResult))


def test_a_file_is_shown_before_anything_is_saved_and_then_leads_on_to_the_publication(staff_login, db):
    checked = _upload(staff_login, results_rows(250))
    assert checked.status_code == 302 and _saved(db) == 0  # checked, kept for the preview, not imported
    preview_url = checked.headers["Location"]
    preview = staff_login.get(preview_url).get_data(as_text=True)
    assert "Granska resultaten 2024 innan de sparas" in preview and "Inget är sparat ännu." in preview
    assert "250 kommuner av 290" in preview and "Det finns inga resultat för 2024 ännu." in preview
    assert "<li>Upplands Väsby: 90,0</li>" in preview  # the file's best first
    assert _saved(db) == 0

    saved = staff_login.post(preview_url, data={"csrf_token": form_csrf_token(staff_login, preview_url)},
                             follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert "250 kommuners resultat för 2024 är importerade." in page and _saved(db) == 250
    assert db.session.scalar(select(func.count()).select_from(ResultUpload)) == 0
    # The way on: the year has no publication moment yet, and the page leads to where it is set.
    assert "Resultaten för 2024 har ingen publiceringstid." in page
    assert 'href="/admin/publicering/2024">Sätt publiceringstiden för 2024</a>' in page
    assert staff_login.get("/admin/publicering/2024").status_code == 200


def test_cancelling_the_preview_saves_nothing_and_forgets_the_file(staff_login, db):
    preview_url = _upload(staff_login, results_rows(10)).headers["Location"]
    cancel = preview_url + "/avbryt"
    staff_login.post(cancel, data={"csrf_token": form_csrf_token(staff_login, preview_url)})
    assert _saved(db) == 0 and db.session.scalar(select(func.count()).select_from(ResultUpload)) == 0
    assert staff_login.get(preview_url).status_code == 404


def test_a_file_with_errors_is_never_kept(staff_login, db):
    rows = results_rows(10)
    rows[1][0] = "9999"
    page = _upload(staff_login, rows)
    assert page.status_code == 200 and "Inget importerades." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ResultUpload)) == 0
