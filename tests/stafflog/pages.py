"""The staff log for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page

page("stafflog_admin.index")
page("stafflog_admin.index", state="sökning", args={"person": "personal", "since": "2020-01-01"})
not_a_page("stafflog_admin.export", "the log as a CSV file for Excel")
