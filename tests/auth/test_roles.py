"""Roles on every staff route: a whole-app walk (every staff route × every role: allowed or 403), the buttons a
role cannot use, the declarations themselves, and the acceptance check with `hti create-staff --role redaktor`."""
from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html
import pytest
from flask import url_for
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from hti_comms.delivery.owner import Owner
from hti_comms.auth.roles import Role, grants
from hti_comms.staff import READING, access_of, is_staff_endpoint, required_role
from tests.conftest import TEST_PASSWORD
from tests.helpers import form_csrf_token, log_in, make_staff

#: Actions whose role the issue names, checked against the declarations (so a declaration cannot drift).
EXPECTED = {
    ("newsletters_admin.send", "POST"): Role.UTSKICK,
    ("newsletters_admin.send", "GET"): Role.UTSKICK,
    ("newsletters_admin.pause_view", "POST"): Role.UTSKICK,
    ("newsletters_admin.resume_view", "POST"): Role.UTSKICK,
    ("newsletters_admin.test_send", "POST"): Role.REDAKTOR,
    ("newsletters_admin.edit", "POST"): Role.REDAKTOR,
    ("newsletters_admin.index", "GET"): None,
    ("delivery_admin.pause", "POST"): Role.UTSKICK,
    ("delivery_admin.resume", "POST"): Role.UTSKICK,
    ("briefs_admin.send_municipality", "POST"): Role.UTSKICK,
    ("briefs_admin.send_district", "POST"): Role.UTSKICK,
    ("events_admin.message", "POST"): Role.UTSKICK,
    ("events_admin.new_event", "POST"): Role.REDAKTOR,
    ("subscribers_admin.import_commit", "POST"): Role.REDAKTOR,
    ("results_admin.import_file", "POST"): Role.REDAKTOR,
    ("results_admin.ranking", "GET"): None,
    ("publication_admin.year", "GET"): Role.PUBLICERING,
    ("publication_admin.log", "GET"): Role.PUBLICERING,
    ("publication_admin.log_csv", "GET"): Role.PUBLICERING,
    ("publication_admin.timeline_page", "GET"): Role.PUBLICERING,
    ("publication_admin.approve", "POST"): Role.PUBLICERING,
    ("publication_admin.set_moments", "POST"): Role.PUBLICERING,
    ("subscribers_admin.erase", "POST"): Role.ADMINISTRATOR,
    ("staff_admin.index", "GET"): Role.ADMINISTRATOR,
    ("staff_admin.account", "POST"): Role.ADMINISTRATOR,
    ("stafflog_admin.index", "GET"): Role.ADMINISTRATOR,
    ("account.password", "POST"): None,
}
#: Who walks the routes: one person per role, and one with no role at all (reading only).
PEOPLE = {"redaktor": [Role.REDAKTOR], "utskick": [Role.UTSKICK], "publicering": [Role.PUBLICERING],
          "administrator": [Role.ADMINISTRATOR], "ingen-roll": []}


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if is_staff_endpoint(rule.endpoint, app)]


def test_every_route_under_admin_and_konto_is_a_staff_route_and_every_action_declares_its_role(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/admin", "/konto")):
            assert is_staff_endpoint(rule.endpoint, app), f"{rule.rule} is not on a staff_blueprint"
    for rule in staff_rules(app):
        access = access_of(rule.endpoint, app)
        if rule.methods - set(READING) and (access is None or access.action is None):
            undeclared.append(rule.endpoint)
    assert not undeclared, f"declare @needs(Role…, 'what the staff log calls it') on: {sorted(undeclared)}"


def test_the_declarations_give_the_roles_the_issue_names(app):
    with app.app_context():
        wrong = {key: required_role(*key, app=app) for key, role in EXPECTED.items()
                 if required_role(*key, app=app) is not role}
    assert not wrong, wrong


def test_an_undeclared_post_route_is_refused_and_caught(app, client, staff_user):
    from hti_comms.staff import staff_blueprint

    blueprint = staff_blueprint("forgotten_admin", __name__, "/glomd")
    blueprint.add_url_rule("/", "act", lambda: "gjort", methods=["GET", "POST"])
    app.register_blueprint(blueprint)
    log_in(client, staff_user.email)
    staff_login = client
    assert staff_login.get("/admin/glomd/").status_code == 200
    token = form_csrf_token(staff_login, "/admin/")
    assert staff_login.post("/admin/glomd/", data={"csrf_token": token}).status_code == 403
    with pytest.raises(AssertionError, match="forgotten_admin.act"):
        test_every_route_under_admin_and_konto_is_a_staff_route_and_every_action_declares_its_role(app)


@pytest.fixture
def walk_data(app, db, make_contact):
    """A little of everything, so the pages show their buttons: a newsletter, a contact, an event, a send."""
    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
    from tests.events.helpers import make_event
    from tests.newsletters.helpers import make_newsletter

    newsletter = make_newsletter()
    contact = make_contact("eva@exempel.se")
    event = make_event()
    send = enqueue(EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Prov", context={}, kind="test_email"),
                   [Recipient("anna@exempel.se", "Anna")])
    db.session.commit()
    return {"newsletter_id": newsletter.id, "contact_id": contact.id, "event_id": event.id, "send_id": send.id,
            "year": 2025, "code": "0114", "section_id": newsletter.sections[0].id, "kind": "newsletter",
            "kind_key": "text", "user_id": 1, "request_id": 1}


def _value(name: str, data: dict):
    return data.get(name, "0114" if name == "code" else "up" if name == "direction" else 1)


def _forbidden_controls(html: str, app, role_set, page_path: str) -> list[str]:
    """Return the forms and links on a page that lead where the person gets 403, unless shown disabled."""
    document = lxml.html.fromstring(html)
    adapter = app.url_map.bind("localhost")
    found = []
    for form in document.forms:
        method = (form.method or "GET").upper()
        path = urlsplit(form.action or "").path or page_path  # a form without an action posts to its page
        buttons = form.xpath(".//button[not(@type) or @type='submit'] | .//input[@type='submit']")
        if not path or not buttons or all(b.get("disabled") is not None for b in buttons):
            continue
        try:
            endpoint, _args = adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed, RequestRedirect):
            continue
        if is_staff_endpoint(endpoint, app) and not grants(role_set, required_role(endpoint, method, app=app)):
            found.append(f"{method} {path}")
    for link in document.xpath("//a[@href]"):
        path = urlsplit(link.get("href")).path
        try:
            endpoint, _args = adapter.match(path, method="GET")
        except (NotFound, MethodNotAllowed, RequestRedirect):
            continue
        if is_staff_endpoint(endpoint, app) and not grants(role_set, required_role(endpoint, "GET", app=app)):
            found.append(f"link to {path}")
    return found


def test_every_staff_route_with_every_role_is_allowed_or_403(app, db, walk_data):
    """Each person walks every staff route with every method: 403 exactly where their roles do not reach, and no
    page shows them a working button or a link that would answer 403."""
    rules = staff_rules(app)
    problems, walked = [], 0
    for login, roles in PEOPLE.items():
        user = make_staff(f"{login}@spf.example", roles=roles, second_factor=True)
        role_set = frozenset(roles)
        client = app.test_client()
        client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
        assert log_in(client, user.email).status_code == 302
        token = form_csrf_token(client, "/konto/losenord")
        for rule in rules:
            with app.test_request_context():
                url = url_for(rule.endpoint, **{name: _value(name, walk_data) for name in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                allowed = grants(role_set, required_role(rule.endpoint, method, app=app))
                response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
                walked += 1
                if (response.status_code == 403) == allowed:
                    problems.append(f"{login}: {method} {url} answered {response.status_code}")
                elif method == "GET" and response.status_code == 200 and response.mimetype == "text/html":
                    problems += [f"{login}: {url} shows {control}" for control
                                 in _forbidden_controls(response.get_data(as_text=True), app, role_set, urlsplit(url).path)]
                response.close()
    assert not problems, "\n".join(problems)
    assert walked > 5 * 100


def test_acceptance_a_redaktor_made_on_the_command_line(app, client, runner, db):
    """`hti create-staff EMAIL --role redaktor --password-stdin`, a login with the password alone, then 403 on the
    publication pages and on sending, 200 on the newsletter list."""
    from tests.newsletters.helpers import make_newsletter

    result = runner.invoke(args=["hti", "create-staff", "redaktor@spf.example", "--role", "redaktor",
                                 "--password-stdin"], input=TEST_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "skapat med rollen redaktör" in result.output
    newsletter = make_newsletter()
    response = client.post("/logga-in", data={"email": "redaktor@spf.example", "password": TEST_PASSWORD,
                                              "csrf_token": form_csrf_token(client, "/logga-in")})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"  # no second factor asked
    assert client.get("/admin/publicering/2025").status_code == 403
    assert client.get("/admin/publicering/").status_code == 403
    token = form_csrf_token(client, "/admin/nyhetsbrev/")
    assert client.post(f"/admin/nyhetsbrev/{newsletter.id}/skicka", data={
        "csrf_token": token, "when": "now", "step": "confirm"}).status_code == 403
    assert client.get(f"/admin/nyhetsbrev/{newsletter.id}/skicka").status_code == 403
    assert client.get("/admin/nyhetsbrev/").status_code == 200
    page = client.get(f"/admin/nyhetsbrev/{newsletter.id}").get_data(as_text=True)
    assert "Det här kan bara den som har rollen Utskick göra." in page


def test_an_unknown_role_on_the_command_line_is_named(runner, db):
    result = runner.invoke(args=["hti", "create-staff", "x@spf.example", "--role", "chef", "--password-stdin"],
                           input=TEST_PASSWORD + "\n")
    assert result.exit_code != 0
    assert "Rollen ”chef” finns inte. Välj bland: redaktor, utskick, publicering, administrator." in result.output
