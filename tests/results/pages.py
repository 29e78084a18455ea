"""Staff pages of the results domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def latest_year(data) -> int:
    from hti_comms.results.ranking import available_years

    return available_years()[0]


def _submit_empty(page_):
    page_.get_by_role("button", name="Kontrollera och importera").click()


page("overview.dashboard")
page("results_admin.index")
page("results_admin.ranking", args=lambda data: {"year": latest_year(data)})
page("results_admin.import_file")
page("results_admin.import_file", state="fel", then=_submit_empty)
not_a_page("results_admin.ranking_download", "the ranking as an Excel file")
