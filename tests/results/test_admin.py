from decimal import Decimal

from sqlalchemy import func, select

from hti_comms.results.models import IndexResult
from hti_comms.results.services import import_results, load_demo_results
from tests.helpers import form_csrf_token, results_rows, to_csv


def upload(client, data: bytes, year: int, replace: bool = False, filename: str = "hti.csv", save: bool = True):
    """Upload a file as staff do; when it passes the checks, press "Spara resultaten" on its preview."""
    import io

    token = form_csrf_token(client, "/admin/resultat/importera")
    form = {"csrf_token": token, "year": str(year), "file": (io.BytesIO(data), filename)}
    if replace:
        form["replace"] = "y"
    response = client.post("/admin/resultat/importera", data=form, content_type="multipart/form-data")
    if response.status_code != 302 or not save:
        return response
    preview = response.headers["Location"]
    data = {"csrf_token": form_csrf_token(client, preview)}
    if replace:
        data["replace"] = "y"
    return client.post(preview, data=data, follow_redirects=True)


def test_admin_import_then_ranking(staff_login, db):
    response = upload(staff_login, to_csv(results_rows(290)), 2024)
    html = response.get_data(as_text=True)
    assert "290 kommuners resultat för 2024 är importerade." in html
    assert "<h1>Hemtjänstindex 2024 </h1>" in html
    assert "Upplands Väsby" in html and "Demodata" not in html


def test_admin_import_shows_every_problem_and_saves_nothing(staff_login, db):
    rows = results_rows(10)
    rows[1][0] = "9999"
    rows[4][4] = "x"
    html = upload(staff_login, to_csv(rows), 2024).get_data(as_text=True)
    assert "Inget importerades." in html
    assert "Rad 3, kolumn ”kommunkod”: kommunkod 9999 finns inte bland Sveriges 290 kommuner" in html
    assert "Rad 6, kolumn ”bistandshandlaggning”: ”x” är inte ett tal" in html
    assert db.session.scalar(select(func.count()).select_from(IndexResult)) == 0


def test_admin_reimport_asks_before_replacing(staff_login, db):
    import_results(to_csv(results_rows(290)), "först.csv", 2024)
    html = upload(staff_login, to_csv(results_rows(290, offset=Decimal(1))), 2024).get_data(as_text=True)
    assert "Det finns redan resultat för 2024" in html
    assert db.session.scalar(select(IndexResult.index_value).where(IndexResult.municipality_code == "0114")) == \
        Decimal("90.0")

    html = upload(staff_login, to_csv(results_rows(290, offset=Decimal(1))), 2024, replace=True).get_data(as_text=True)
    assert "290 kommuners resultat för 2024 är importerade." in html
    db.session.expire_all()
    assert db.session.scalar(select(IndexResult.index_value).where(IndexResult.municipality_code == "0114")) == \
        Decimal("91.0")


def test_demo_ranking_is_labelled(staff_login, db):
    years = load_demo_results()
    html = staff_login.get(f"/admin/resultat/{years[-1]}").get_data(as_text=True)
    assert '<span class="badge">Demodata</span>' in html
    assert "inte riktiga resultat" in html
    assert staff_login.get("/admin/resultat/1999").status_code == 404


def test_dashboard_lists_years_and_marks_demo_data(staff_login, db):
    years = load_demo_results()
    html = staff_login.get("/admin/").get_data(as_text=True)
    for year in years:
        assert f"Rankning {year}</a>" in html
    assert html.count('<span class="badge">Demodata</span>') == 3
    assert "290 kommuner" in html
