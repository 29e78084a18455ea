"""Staff walk through the real pages in a real browser: log in, see the demo ranking, import a year."""
import pytest

from hti_comms.results.services import load_demo_results
from tests.conftest import TEST_PASSWORD
from tests.helpers import results_rows, to_csv, browser_second_step, follow

pytestmark = pytest.mark.browser


def test_staff_logs_in_and_sees_the_demo_ranking(app, live_server, browser_page, staff_user):
    years = load_demo_results()
    page = browser_page
    page.goto(f"{live_server}/admin/resultat/")
    assert "/logga-in" in page.url  # not logged in yet

    page.get_by_label("E-postadress").fill(staff_user.email)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    browser_second_step(page, staff_user.email)
    follow(page, page.get_by_role("navigation", name="Personalmeny").get_by_role("link", name="Resultat", exact=True))

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith(f"Hemtjänstindex {years[-1]}")
    assert "Demodata" in heading.inner_text()
    assert page.get_by_role("row").count() == 290 + 2  # header, 290 municipalities, national average
    first_place = page.locator("tbody tr").first.locator("td").first.inner_text()
    assert first_place == "1"


def test_import_page_shows_line_numbers_for_bad_rows(app, live_server, browser_page, staff_user, tmp_path):
    rows = results_rows(5)
    rows[2][2] = "123"
    path = tmp_path / "fel.csv"
    path.write_bytes(to_csv(rows))
    page = browser_page
    page.goto(f"{live_server}/logga-in?next=/admin/resultat/importera")
    page.get_by_label("E-postadress").fill(staff_user.email)
    page.get_by_label("Lösenord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    browser_second_step(page, staff_user.email)

    page.get_by_label("År", exact=True).fill("2024")
    page.get_by_label("Resultatfil (CSV eller Excel)").set_input_files(str(path))
    page.get_by_role("button", name="Kontrollera filen").click()

    alert = page.get_by_role("alert").first
    assert "Inget importerades." in alert.inner_text()
    assert "Rad 4, kolumn ”index”: 123,0 ligger utanför 0–100" in alert.inner_text()


def test_the_browser_enforces_the_policy_and_the_tests_notice_inline_script(app, live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server}/")
    assert page.csp_violations == []
    # What an inline script that crept back into a template would do: the policy blocks it, the test sees it.
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.inlineRan = true;'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.inlineRan === undefined")
    assert any("script-src 'self'" in text for text in page.csp_violations)
    page.csp_violations.clear()  # seen on purpose; the fixture fails any test that leaves one behind
