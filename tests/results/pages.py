"""Staff pages of the results domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def latest_year(data) -> int:
    from hti_comms.results.ranking import available_years

    return available_years()[0]


def _submit_empty(page_):
    page_.get_by_role("button", name="Kontrollera filen").click()


page("overview.dashboard")
not_a_page("results_admin.index", "redirects to the newest year's ranking (results_admin.ranking)")
# One county (26 rows) has every kind of cell; axe over all 290 rows takes half a minute on 2 cores and finds
# the same. tests/a11y/test_layout.py checks that the whole table fits 1280 px.
page("results_admin.ranking", args=lambda data: {"year": latest_year(data), "lan": "01"})
page("results_admin.ranking", state="sorterad", args=lambda data: {"year": latest_year(data), "lan": "12",
                                                                    "sortera": "forandring", "ordning": "stigande"})
page("results_admin.import_file")
page("results_admin.import_file", state="fel", then=_submit_empty)
not_a_page("results_admin.ranking_download", "the ranking as an Excel file")


def _upload_args(data):
    """A checked results file waiting for its preview to be saved (made once)."""
    def make(_data):
        from hti_comms.results.uploads import stage
        from tests.helpers import results_rows, to_csv

        upload, problems = stage(to_csv(results_rows(290)), "resultat-2030.csv", 2030, replace=False,
                                 uploaded_by="personal@spf.example")
        assert not problems, problems
        return upload.id
    return {"upload_id": data.get("results:upload", make)}


page("results_admin.import_preview", args=_upload_args)
not_a_page("results_admin.import_cancel", "a POST that forgets the file and redirects to the import page")
