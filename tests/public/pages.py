"""Pages of the public and auth domains for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def _submit_empty(page_):
    page_.get_by_role("button", name="Logga in").click()


page("public.home")
page(path="/sidan-finns-inte")  # the 404 page every mistyped address shows
page("auth.login")
page("auth.login", state="fel", then=_submit_empty)
not_a_page("auth.logout", "POST that logs out and redirects to the login page")
not_a_page("static", "files (CSS, JavaScript, images)")
page("public.privacy")
not_a_page("public.favicon", "the site icon")

page("account.password")
page("account.password", state="fel", then=lambda page_: page_.get_by_role("button", name="Byt lösenord").click())
