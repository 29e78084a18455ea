"""Where a login sends you next (`?next=`): a path on this site only; a line break in it gave HTTP 500 (issue 17,
item 5), and a backslash or a tab made a path that browsers read as another host."""
from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token, second_step

HOSTILE = ["/%0d%0aX", "/%0aSet-Cookie:%20x=1", "/%09/evil.example/", "/%5Cevil.example/", "/\\evil.example/",
           "//evil.example/", "https://evil.example/"]


def _login(client, staff_user, query: str):
    token = form_csrf_token(client, "/logga-in")
    return second_step(client, client.post(f"/logga-in?next={query}", data={
        "email": staff_user.email, "password": TEST_PASSWORD, "csrf_token": token}), staff_user.email)


@pytest.mark.parametrize("query", HOSTILE)
def test_a_hostile_next_leads_to_the_overview_after_login(client, staff_user, query):
    response = _login(client, staff_user, query)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


@pytest.mark.parametrize("query", HOSTILE)
def test_a_hostile_next_for_someone_already_logged_in_leads_to_the_overview(staff_login, query):
    response = staff_login.get(f"/logga-in?next={query}")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_a_path_on_the_site_is_still_followed(client, staff_user):
    response = _login(client, staff_user, "/admin/kontakter/%3Fsok%3D%C3%85sa")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/kontakter/?sok=%C3%85sa"
