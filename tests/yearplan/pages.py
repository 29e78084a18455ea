"""Staff pages of the year plan for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def _year(data) -> dict:
    from tests.publication.pages import _latest_year

    return {"year": _latest_year()}


not_a_page("yearplan_admin.index", "redirects to the plan of the year whose publication is next")
page("yearplan_admin.plan", args=_year)
page("yearplan_admin.next_year", args=_year)
